// Parsers for the scalar values a config holds (names, ports, host names, URLs, store
// URLs). Each returns the value or a message saying what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/address.hpp"
#include "model/detection_params.hpp"
#include "util/expected.hpp"

namespace blackout {

Expected<std::string> parse_name(std::string_view text);
Expected<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);
Expected<std::uint16_t> parse_port(std::string_view text);
Expected<bool> parse_boolean(std::string_view text);
Expected<double> parse_number(std::string_view text);
Expected<std::string> parse_host_name(std::string_view text);
Expected<std::uint32_t> parse_as_number(std::string_view text);
// A span of time as a duration ("30s") or as probe intervals ("3 intervals", "1 interval"),
// so that one setting holds at any probe cadence.
Expected<Span> parse_span(std::string_view text);

// An address with a port: "192.0.2.1", "192.0.2.1:1179", "2001:db8::1", "[2001:db8::1]:1179".
struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;
};
Expected<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port);

struct Url {
  std::string scheme;  // http or https
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string path;  // begins with '/'
};
Expected<Url> parse_http_url(std::string_view text);

struct StoreUrl {
  enum class Kind { sqlite, postgresql } kind = Kind::sqlite;
  std::string location;  // file path for sqlite, the full URL for postgresql
};
Expected<StoreUrl> parse_store_url(std::string_view text);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace blackout
