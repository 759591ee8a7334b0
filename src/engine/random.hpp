// Injected randomness: jitter, probe tokens and ports come from here, so that tests can fix
// the seed and replay exactly.
#pragma once

#include <cstdint>
#include <random>

namespace blackout {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next() = 0;
  // Uniform in [0, bound); 0 when bound is 0.
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// Seeded from the operating system's entropy, for production.
class SystemRandom final : public Random {
 public:
  SystemRandom() : engine_(std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32)) {}
  std::uint64_t next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace blackout
