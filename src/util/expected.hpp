// Expected<T>: a value or an error, for failures that are expected (a malformed reply, a
// file that cannot be read). Exceptions are kept for broken invariants and start-up
// configuration errors; see docs/architecture.md, "Errors".
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace blackout {

struct Error {
  std::string message;
};

template <typename T, typename E = Error>
class [[nodiscard]] Expected {
 public:
  using value_type = T;
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(E error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(storage_); }
  const T& value() const& { return std::get<0>(storage_); }
  T&& value() && { return std::get<0>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(storage_); }
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, E> storage_;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace blackout
