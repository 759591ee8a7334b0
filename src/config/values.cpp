// Scalar value parsers for the config.
#include "config/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

#include "model/address.hpp"
#include "util/strings.hpp"

namespace blackout {

Expected<std::string> parse_name(std::string_view text) {
  if (text.empty()) return make_error("a name cannot be empty");
  if (text.size() > 64) return make_error("a name has at most 64 characters");
  if (!std::isalnum(static_cast<unsigned char>(text.front())))
    return make_error("a name starts with a letter or digit, got " + quoted(text));
  for (const char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return make_error("a name holds only letters, digits, '_', '.' and '-', got " + quoted(text));
  return std::string(text);
}

Expected<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return make_error("expected an integer, got " + quoted(text));
  if (value < min || value > max)
    return make_error("expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                      std::string(text));
  return value;
}

Expected<std::uint16_t> parse_port(std::string_view text) {
  auto value = parse_integer(text, 1, 65535);
  if (!value) return make_error("expected a port from 1 to 65535, got " + quoted(text));
  return static_cast<std::uint16_t>(*value);
}

Expected<bool> parse_boolean(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return make_error("expected true or false, got " + quoted(text));
}

Expected<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
    return make_error("expected a number, got " + quoted(text));
  return value;
}

Expected<Span> parse_span(std::string_view text) {
  for (const std::string_view unit : {" intervals", " interval"}) {
    if (text.size() <= unit.size() || text.substr(text.size() - unit.size()) != unit) continue;
    const auto count = parse_number(text.substr(0, text.size() - unit.size()));
    if (!count || *count <= 0 || *count > 1e6)
      return make_error("expected a positive number of probe intervals (\"3 intervals\"), got " + quoted(text));
    return Span::of_intervals(*count);
  }
  const auto duration = parse_duration(text);
  if (!duration) return make_error(duration.error().message + ", or a number of probe intervals (\"3 intervals\")");
  return Span::of(*duration);
}

Expected<std::string> parse_host_name(std::string_view text) {
  std::string_view name = text;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return make_error("expected a host name, got " + quoted(text));
  for (const std::string& label : split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return make_error("expected a host name (labels of 1 to 63 letters, digits and '-'), got " + quoted(text));
    for (const char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
        return make_error("expected a host name (labels of 1 to 63 letters, digits and '-'), got " + quoted(text));
  }
  return to_lower(name);
}

Expected<std::uint32_t> parse_as_number(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() > 2 && (digits.substr(0, 2) == "AS" || digits.substr(0, 2) == "as")) digits.remove_prefix(2);
  auto value = parse_integer(digits, 0, 4294967295LL);
  if (!value) return make_error("expected an AS number (e.g. 131279 or AS131279), got " + quoted(text));
  return static_cast<std::uint32_t>(*value);
}

Expected<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  const auto fail = [&] {
    return make_error("expected ADDRESS[:PORT] (like 192.0.2.1:179 or [2001:db8::1]:179), got " + quoted(text));
  };
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail();
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return fail();
      port_text = text.substr(close + 2);
      if (port_text.empty()) return fail();
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port_text = text.substr(text.find(':') + 1);
    if (port_text.empty()) return fail();
  }
  const auto address = IpAddress::parse(host);
  if (!address) return fail();
  Endpoint out{*address, default_port};
  if (!port_text.empty()) {
    const auto port = parse_integer(port_text, 0, 65535);
    if (!port) return fail();
    out.port = static_cast<std::uint16_t>(*port);
  }
  return out;
}

Expected<Url> parse_http_url(std::string_view text) {
  const auto fail = [&](const std::string& why) { return make_error("bad URL " + quoted(text) + ": " + why); };
  Url url;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail("expected http://HOST/... or https://HOST/...");
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return fail("the scheme must be http or https");
  std::string_view rest = text.substr(scheme_end + 3);
  const std::size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  url.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (url.path.front() != '/') url.path = "/" + url.path;
  if (authority.find('@') != std::string_view::npos) return fail("user names in URLs are not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    if (!IpAddress::parse(url.host) || IpAddress::parse(url.host)->is_v4()) return fail("bad IPv6 address in brackets");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ']'");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (url.host.empty()) return fail("the host is empty");
    if (!IpAddress::parse(url.host)) {
      auto host = parse_host_name(url.host);
      if (!host) return fail("bad host " + quoted(url.host));
      url.host = *host;
    }
  }
  if (!port_text.empty() || (authority.size() > 0 && authority.back() == ':')) {
    auto port = parse_port(port_text);
    if (!port) return fail("bad port " + quoted(port_text));
    url.port = *port;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  for (const char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return fail("spaces and control characters are not allowed");
  return url;
}

Expected<StoreUrl> parse_store_url(std::string_view text) {
  if (starts_with(text, "sqlite:")) {
    std::string_view path = text.substr(7);
    if (starts_with(path, "//")) path.remove_prefix(2);
    if (path.empty()) return make_error("sqlite store needs a file path: sqlite:var/blackout.db");
    return StoreUrl{StoreUrl::Kind::sqlite, std::string(path)};
  }
  if (starts_with(text, "postgresql://") || starts_with(text, "postgres://"))
    return StoreUrl{StoreUrl::Kind::postgresql, std::string(text)};
  return make_error("expected sqlite:PATH or postgresql://..., got " + quoted(text));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace blackout
