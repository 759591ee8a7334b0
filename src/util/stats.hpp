// The monitor's own counters and gauges, each declared once, with its name and help, by
// the part that keeps it (scheduler, store writer, alert delivery, HTTP server, BGP
// sessions). /metrics renders whatever is registered, so a new counter is one line where
// it is counted, not three declarations in three modules that must agree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blackout {

enum class StatType { counter, gauge };

using StatLabels = std::vector<std::pair<std::string, std::string>>;

struct StatSample {
  StatLabels labels;
  double value = 0;
};

struct StatFamily {
  std::string name;  // Prometheus naming: blackout_..._total for counters
  StatType type = StatType::counter;
  std::string help;
  std::function<std::vector<StatSample>()> read;  // read at each scrape
};

class Stats {
 public:
  // One unlabelled value. A name registered twice is a programming error (std::logic_error).
  void counter(std::string name, std::string help, std::function<double()> read);
  void gauge(std::string name, std::string help, std::function<double()> read);
  // A labelled family (one sample per BGP session, ...); it may read no samples.
  void family(std::string name, StatType type, std::string help, std::function<std::vector<StatSample>()> read);

  [[nodiscard]] const std::vector<StatFamily>& families() const { return families_; }
  // An unlabelled value by name, as a scrape would read it now; nullopt if not registered.
  [[nodiscard]] std::optional<double> value(std::string_view name) const;

 private:
  std::vector<StatFamily> families_;
};

[[nodiscard]] std::string_view to_string(StatType type);

}  // namespace blackout
