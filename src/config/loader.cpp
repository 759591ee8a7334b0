// Loading and validating configs: YAML in, a checked Config or every error out.
#include "config/loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "config/body_pattern.hpp"
#include "config/schema.hpp"
#include "config/values.hpp"
#include "util/strings.hpp"

namespace blackout {

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

ConfigLoadError::ConfigLoadError(ConfigErrors errors) : errors_(std::move(errors)) {
  for (const ConfigError& error : errors_) message_ += error.to_string() + "\n";
  if (!message_.empty()) message_.pop_back();
}

std::size_t Config::check_count() const {
  std::size_t count = 0;
  for (const Target& target : targets) count += target.checks.size();
  return count;
}

namespace {

// Bounds of a target's weight: detection sums weights per layer and per network, where a
// smaller one rounds away and a larger one drowns every other target.
constexpr double min_target_weight = 1e-6;
constexpr double max_target_weight = 1e6;

// The state of one load: where we are and what went wrong so far.
struct Context {
  std::string file;
  ConfigErrors errors;

  void error(const YAML::Node& node, const std::string& field, std::string message) {
    ConfigError e{file, 0, 0, field, std::move(message)};
    if (node.IsDefined()) {
      const YAML::Mark mark = node.Mark();
      if (mark.line >= 0) {
        e.line = mark.line + 1;
        e.column = mark.column + 1;
      }
    }
    errors.push_back(std::move(e));
  }
};

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return quoted(node.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "something else";
}

std::string suggestion(std::string_view key, const std::vector<std::string_view>& allowed) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const std::string_view candidate : allowed) {
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : " (did you mean \"" + std::string(best) + "\"?)";
}

// Keys earlier versions had, and what took their place: a config written for them is told
// what to change, not only that the key is unknown.
std::string retired(std::string_view path) {
  static const std::map<std::string_view, std::string_view> hints = {
      {"detection.stress_enter", "stress is now weighed as evidence: set detection.stress_odds (docs/detection.md)"},
      {"detection.stress_leave", "stress now ends after detection.stress_fall good answers (docs/detection.md)"},
      {"detection.stress_rise", "stress is now weighed as evidence: set detection.stress_odds (docs/detection.md)"},
  };
  const auto it = hints.find(path);
  return it == hints.end() ? "" : "; " + std::string(it->second);
}

// Reads one YAML mapping against the schema: rejects unknown and duplicate keys, and gives
// typed access to the known ones. Every accessor reports its own errors and returns nullopt.
class MapReader {
 public:
  MapReader(Context& context, const YAML::Node& node, std::string field, std::string schema_path,
            std::string extra_schema_path = "")
      : context_(context),
        node_(node),
        field_(std::move(field)),
        schema_path_(std::move(schema_path)),
        extra_schema_path_(std::move(extra_schema_path)) {
    if (!node.IsMap()) {
      context_.error(node, field_, "expected a mapping, got " + describe(node));
      return;
    }
    valid_ = true;
    std::vector<std::string_view> allowed = child_keys(schema_path_);
    if (!extra_schema_path_.empty())
      for (const std::string_view key : child_keys(extra_schema_path_)) allowed.push_back(key);
    std::set<std::string> seen;
    for (const auto& pair : node) {
      const YAML::Node& key_node = pair.first;
      if (!key_node.IsScalar()) {
        context_.error(key_node, field_, "keys must be plain words, got " + describe(key_node));
        continue;
      }
      const std::string key = key_node.Scalar();
      if (!seen.insert(key).second) {
        context_.error(key_node, join(key), "duplicate key");
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        const std::string hint = retired(join(key));
        context_.error(key_node, join(key),
                       hint.empty() ? "unknown key" + suggestion(key, allowed) : "no longer a setting" + hint);
        continue;
      }
      entries_.emplace_back(key, pair.second);
    }
  }

  [[nodiscard]] bool valid() const { return valid_; }
  [[nodiscard]] const std::string& field() const { return field_; }
  [[nodiscard]] std::string join(std::string_view key) const {
    return field_.empty() ? std::string(key) : field_ + "." + std::string(key);
  }

  // The node under key, or nullptr when absent (or null, which counts as absent).
  const YAML::Node* get(std::string_view key) {
    assert_in_schema(key);
    for (const auto& [name, value] : entries_)
      if (name == key) return value.IsNull() ? nullptr : &value;
    return nullptr;
  }

  bool has(std::string_view key) { return get(key) != nullptr; }

  void require(std::string_view key) {
    assert_in_schema(key);
    if (!has(key)) context_.error(node_, join(key), "required key is missing");
  }

  template <typename Parse>
  auto scalar(std::string_view key, Parse parse)
      -> std::optional<typename std::invoke_result_t<Parse, std::string_view>::value_type> {
    const YAML::Node* value = get(key);
    if (!value) return std::nullopt;
    return parse_scalar(*value, join(key), parse);
  }

  template <typename Parse>
  auto parse_scalar(const YAML::Node& value, const std::string& field, Parse parse)
      -> std::optional<typename std::invoke_result_t<Parse, std::string_view>::value_type> {
    if (!value.IsScalar()) {
      context_.error(value, field, "expected a single value, got " + describe(value));
      return std::nullopt;
    }
    auto parsed = parse(std::string_view(value.Scalar()));
    if (!parsed) {
      context_.error(value, field, parsed.error().message);
      return std::nullopt;
    }
    return std::move(*parsed);
  }

  Context& context() { return context_; }

 private:
  void assert_in_schema(std::string_view key) const {
    // A key read here but missing from the schema is a bug in blackout, not in the file.
    const std::string path = schema_path_.empty() ? std::string(key) : schema_path_ + "." + std::string(key);
    const std::string extra = extra_schema_path_ + "." + std::string(key);
    if (!find_key_spec(path) && (extra_schema_path_.empty() || !find_key_spec(extra)))
      throw std::logic_error("config key read but not in schema: " + path);
  }

  Context& context_;
  const YAML::Node& node_;
  std::string field_;
  std::string schema_path_;
  std::string extra_schema_path_;
  bool valid_ = false;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

// Schedule settings that cascade: defaults -> target -> check.
struct Schedule {
  Duration interval, timeout, jitter, confirm_spacing;
  int confirmations;
};

// Where one level (defaults, a target, a check) set schedule keys itself: a mistake is told
// once, at the level and the line where it was made, not again at every level that only
// inherits it.
struct ScheduleKeys {
  const YAML::Node* interval = nullptr;
  const YAML::Node* timeout = nullptr;
  const YAML::Node* jitter = nullptr;
  const YAML::Node* confirm_spacing = nullptr;
  [[nodiscard]] bool any() const { return interval || timeout || jitter || confirm_spacing; }
};

ScheduleKeys read_schedule(MapReader& map, Schedule& schedule, bool with_spacing) {
  ScheduleKeys keys;
  if (auto v = map.scalar("interval", parse_duration)) {
    schedule.interval = *v;
    keys.interval = map.get("interval");
  }
  if (auto v = map.scalar("timeout", parse_duration)) {
    schedule.timeout = *v;
    keys.timeout = map.get("timeout");
  }
  if (auto v = map.scalar("jitter", parse_duration)) {
    schedule.jitter = *v;
    keys.jitter = map.get("jitter");
  }
  if (auto v = map.scalar("confirmations", [](std::string_view t) { return parse_integer(t, 0, 10); }))
    schedule.confirmations = static_cast<int>(*v);
  if (with_spacing)
    if (auto v = map.scalar("confirm_spacing", parse_duration)) {
      schedule.confirm_spacing = *v;
      keys.confirm_spacing = map.get("confirm_spacing");
    }
  return keys;
}

// Checks the schedule of a level that set some of its keys; each error is placed at the key
// it is about when this level set it, else at the other key involved, else at the level.
void validate_schedule(Context& context, MapReader& map, const YAML::Node& level, const Schedule& s, const ScheduleKeys& keys) {
  if (!keys.any()) return;
  const auto at = [&](const YAML::Node* first, const YAML::Node* second,
                      const char* key) -> std::pair<const YAML::Node&, std::string> {
    if (first) return {*first, map.join(key)};
    if (second) return {*second, map.join(key)};
    return {level, map.field()};
  };
  if (s.interval < 100ms) {
    const auto [node, field] = at(keys.interval, nullptr, "interval");
    context.error(node, field, "interval " + format_duration(s.interval) + " is too short (at least 100ms)");
  }
  if (s.timeout <= 0s) {
    const auto [node, field] = at(keys.timeout, nullptr, "timeout");
    context.error(node, field, "timeout must be positive");
  } else if (s.timeout >= s.interval) {
    const auto [node, field] = at(keys.timeout, keys.interval, keys.timeout ? "timeout" : "interval");
    context.error(node, field,
                  "timeout " + format_duration(s.timeout) + " must be shorter than the interval " + format_duration(s.interval));
  }
  if (s.jitter < 0s || (s.jitter >= s.interval && s.interval > 0s)) {
    const auto [node, field] = at(keys.jitter, keys.interval, keys.jitter ? "jitter" : "interval");
    context.error(node, field,
                  "jitter " + format_duration(s.jitter) + " must be shorter than the interval " + format_duration(s.interval));
  }
  if (s.confirm_spacing <= 0s) {
    const auto [node, field] = at(keys.confirm_spacing, nullptr, "confirm_spacing");
    context.error(node, field, "confirm_spacing must be positive");
  }
}

bool address_allowed(Context& context, bool lab_only, const IpAddress& ip, const YAML::Node& node, const std::string& field) {
  if (!lab_only || is_lab_address(ip)) return true;
  context.error(node, field, "address " + ip.to_string() + " is outside loopback and the lab ranges, and lab_only is set");
  return false;
}

Expected<IpAddress> parse_address(std::string_view text) {
  if (auto ip = IpAddress::parse(text)) return *ip;
  return make_error("expected an IPv4 or IPv6 address, got " + quoted(text));
}

Expected<Prefix> parse_prefix(std::string_view text) {
  if (auto prefix = Prefix::parse(text)) return *prefix;
  if (Prefix::parse(text, true)) return make_error("prefix " + quoted(text) + " has bits set beyond its length");
  return make_error("expected a prefix such as 175.45.176.0/22, got " + quoted(text));
}

struct CheckReadContext {
  Context& context;
  bool lab_only;
  const Target& target;
  const Schedule& schedule;
};

void read_icmp(MapReader& map, IcmpParams& p) {
  if (auto v = map.scalar("payload_size", [](std::string_view t) { return parse_integer(t, 0, 1472); }))
    p.payload_size = static_cast<std::uint16_t>(*v);
}

void read_tcp(MapReader& map, TcpParams& p) {
  map.require("port");
  if (auto v = map.scalar("port", parse_port)) p.port = *v;
}

void read_http(MapReader& map, HttpParams& p, CheckReadContext& rc) {
  map.require("url");
  if (const YAML::Node* node = map.get("url")) {
    if (auto url = map.parse_scalar(*node, map.join("url"), parse_http_url)) {
      p.url = node->Scalar();
      if (auto ip = IpAddress::parse(url->host)) address_allowed(rc.context, rc.lab_only, *ip, *node, map.join("url"));
    }
  }
  if (const YAML::Node* node = map.get("expect_status")) {
    const auto parse_status = [](std::string_view t) { return parse_integer(t, 100, 599); };
    p.expect_status.clear();
    if (node->IsSequence()) {
      if (node->size() == 0) rc.context.error(*node, map.join("expect_status"), "the list of statuses is empty");
      for (std::size_t i = 0; i < node->size(); ++i)
        if (auto v = map.parse_scalar((*node)[i], map.join("expect_status") + "[" + std::to_string(i) + "]", parse_status))
          p.expect_status.push_back(static_cast<int>(*v));
    } else if (auto v = map.parse_scalar(*node, map.join("expect_status"), parse_status)) {
      p.expect_status.push_back(static_cast<int>(*v));
    }
  }
  if (const YAML::Node* node = map.get("body_match")) {
    if (auto pattern = map.parse_scalar(*node, map.join("body_match"),
                                        [](std::string_view t) -> Expected<std::string> { return std::string(t); })) {
      if (auto compiled = compile_body_pattern(*pattern); compiled) p.body_match = *pattern;
      else rc.context.error(*node, map.join("body_match"), "bad regular expression (RE2 syntax): " + compiled.error().message);
    }
  }
  if (auto v = map.scalar("follow_redirects", parse_boolean)) p.follow_redirects = *v;
  if (auto v = map.scalar("tls_verify", parse_boolean)) p.tls_verify = *v;
  if (auto v = map.scalar("cert_expiry_warning", parse_duration)) p.cert_expiry_warning = *v;
  if (auto v = map.scalar("method", [](std::string_view t) -> Expected<std::string> {
        if (t == "GET" || t == "HEAD") return std::string(t);
        return make_error("expected GET or HEAD, got " + quoted(t));
      }))
    p.method = *v;
  if (auto v = map.scalar("host_header", parse_host_name)) p.host_header = *v;
  p.lab_only = rc.lab_only;
}

void read_dns(MapReader& map, DnsParams& p, CheckReadContext& rc) {
  map.require("query");
  if (auto v = map.scalar("query", [](std::string_view t) -> Expected<std::string> {
        if (t == ".") return std::string(".");
        return parse_host_name(t);
      }))
    p.query = *v;
  if (auto v = map.scalar("type", [](std::string_view t) -> Expected<std::uint16_t> {
        if (auto type = dns_type_from_string(t)) return *type;
        return make_error("unknown DNS type " + quoted(t) + "; use A, AAAA, NS, MX, SOA, TXT, ... or TYPEnnn");
      }))
    p.qtype = *v;
  if (auto v = map.scalar("class", [](std::string_view t) -> Expected<std::uint16_t> {
        if (t == "IN") return std::uint16_t{1};
        if (t == "CH") return std::uint16_t{3};
        return make_error("expected IN or CH, got " + quoted(t));
      }))
    p.qclass = *v;
  if (const YAML::Node* node = map.get("server")) {
    if (auto ip = map.parse_scalar(*node, map.join("server"), parse_address)) {
      if (address_allowed(rc.context, rc.lab_only, *ip, *node, map.join("server"))) p.server = *ip;
    }
  }
  if (auto v = map.scalar("port", parse_port)) p.port = *v;
  if (auto v = map.scalar("expect_rcode", [](std::string_view t) -> Expected<int> {
        if (auto rcode = dns_rcode_from_string(t)) return *rcode;
        return make_error("unknown DNS rcode " + quoted(t) + "; use NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...");
      }))
    p.expect_rcode = *v;
  if (auto v = map.scalar("expect_authoritative", parse_boolean)) p.expect_authoritative = *v;
  if (auto v = map.scalar("min_answers", [](std::string_view t) { return parse_integer(t, 0, 65535); }))
    p.min_answers = static_cast<int>(*v);
  if (auto v = map.scalar("tcp", parse_boolean)) p.tcp = *v;
  if (auto v = map.scalar("recursion_desired", parse_boolean)) p.recursion_desired = *v;
}

void read_smtp(MapReader& map, SmtpParams& p) {
  if (auto v = map.scalar("port", parse_port)) p.port = *v;
  if (auto v = map.scalar("starttls", parse_boolean)) p.starttls = *v;
  if (auto v = map.scalar("ehlo_name", parse_host_name)) p.ehlo_name = *v;
}

void read_traceroute(MapReader& map, TracerouteParams& p) {
  if (auto v = map.scalar("method", [](std::string_view t) -> Expected<TracerouteParams::Method> {
        if (t == "udp") return TracerouteParams::Method::udp;
        if (t == "icmp") return TracerouteParams::Method::icmp;
        return make_error("expected udp or icmp, got " + quoted(t));
      }))
    p.method = *v;
  const auto hop = [](std::string_view t) { return parse_integer(t, 1, 64); };
  if (auto v = map.scalar("max_hops", hop)) p.max_hops = static_cast<int>(*v);
  if (auto v = map.scalar("first_hop", hop)) p.first_hop = static_cast<int>(*v);
  if (auto v = map.scalar("port", parse_port)) p.port = *v;
  if (p.first_hop > p.max_hops) map.context().error(YAML::Node(), map.field(), "first_hop is larger than max_hops");
}

void read_bgp(MapReader& map, BgpParams& p, const YAML::Node& node) {
  if (auto v = map.scalar("prefix", parse_prefix)) p.prefix = *v;
  if (auto v = map.scalar("origin_as", parse_as_number)) p.origin_as = *v;
  if (auto v = map.scalar("min_peers", [](std::string_view t) { return parse_integer(t, 1, 100000); }))
    p.min_peers = static_cast<int>(*v);
  if (!map.has("prefix") && !map.has("origin_as"))
    map.context().error(node, map.field(), "a bgp check needs a prefix or an origin_as");
}

std::optional<Check> read_check(const YAML::Node& item, const std::string& field, CheckReadContext& rc) {
  Context& context = rc.context;
  std::string kind_name;
  YAML::Node params;  // null when the kind stands alone
  if (item.IsScalar()) {
    kind_name = item.Scalar();
  } else if (item.IsMap()) {
    if (item.size() != 1) {
      std::string keys;
      for (const auto& pair : item)
        keys += (keys.empty() ? "" : ", ") + (pair.first.IsScalar() ? pair.first.Scalar() : std::string("?"));
      context.error(
          item, field,
          "a check is a mapping with one key, its kind; found " + keys + " (are the parameters indented under the kind?)");
      return std::nullopt;
    }
    const auto pair = *item.begin();
    if (!pair.first.IsScalar()) {
      context.error(item, field, "expected a check kind");
      return std::nullopt;
    }
    kind_name = pair.first.Scalar();
    params = pair.second;
  } else {
    context.error(item, field, "expected a check kind or a mapping from a kind to its parameters, got " + describe(item));
    return std::nullopt;
  }
  const auto kind = check_kind_from_string(kind_name);
  if (!kind) {
    std::vector<std::string_view> kinds;
    for (std::size_t i = 0; i < check_kind_count; ++i) kinds.push_back(to_string(static_cast<CheckKind>(i)));
    context.error(item, field,
                  "unknown check kind " + quoted(kind_name) + suggestion(kind_name, kinds) +
                      "; kinds are icmp, tcp, http, dns, smtp, traceroute, bgp");
    return std::nullopt;
  }
  if (*kind == CheckKind::resolve) {
    // Its results come from the resolver, on the name's TTL, not from a schedule.
    context.error(item, field,
                  "resolve is not a check to write: every target with a host and no address is resolved by itself, "
                  "and each lookup is stored as its resolve result (see resolver)");
    return std::nullopt;
  }
  const std::string kind_field = field + "." + kind_name;
  Check check;
  check.kind = *kind;
  Schedule schedule = rc.schedule;

  // Shorthands: "tcp: 443" is a port; "icmp" alone takes every default.
  if (params.IsScalar()) {
    if (*kind != CheckKind::tcp) {
      context.error(params, kind_field, "expected a mapping of parameters, got " + describe(params));
      return std::nullopt;
    }
    auto port = parse_port(params.Scalar());
    if (!port) {
      context.error(params, kind_field, port.error().message);
      return std::nullopt;
    }
    check.params = TcpParams{*port};
  } else if (params.IsSequence()) {
    context.error(params, kind_field, "expected a mapping of parameters, got a list");
    return std::nullopt;
  } else {
    const bool needs_params =
        *kind == CheckKind::tcp || *kind == CheckKind::http || *kind == CheckKind::dns || *kind == CheckKind::bgp;
    if (!params.IsDefined() || params.IsNull()) {
      if (needs_params) {
        context.error(item, kind_field,
                      "the " + kind_name + " check needs parameters" +
                          (*kind == CheckKind::tcp ? ": write tcp: PORT" : ": write " + kind_name + ": {...}"));
        return std::nullopt;
      }
      params = YAML::Node(YAML::NodeType::Map);
    }
    MapReader map(context, params, kind_field, "targets[].checks[]." + kind_name, "targets[].checks[].<kind>");
    if (!map.valid()) return std::nullopt;
    const std::size_t errors_before = context.errors.size();
    switch (*kind) {
      case CheckKind::icmp:
        check.params = IcmpParams{};
        read_icmp(map, std::get<IcmpParams>(check.params));
        break;
      case CheckKind::tcp:
        check.params = TcpParams{};
        read_tcp(map, std::get<TcpParams>(check.params));
        break;
      case CheckKind::http:
        check.params = HttpParams{};
        read_http(map, std::get<HttpParams>(check.params), rc);
        break;
      case CheckKind::dns:
        check.params = DnsParams{};
        read_dns(map, std::get<DnsParams>(check.params), rc);
        break;
      case CheckKind::smtp:
        check.params = SmtpParams{};
        read_smtp(map, std::get<SmtpParams>(check.params));
        break;
      case CheckKind::traceroute:
        check.params = TracerouteParams{};
        read_traceroute(map, std::get<TracerouteParams>(check.params));
        break;
      case CheckKind::bgp:
        check.params = BgpParams{};
        read_bgp(map, std::get<BgpParams>(check.params), params);
        break;
      case CheckKind::resolve: break;  // refused above
    }
    const ScheduleKeys keys = read_schedule(map, schedule, true);
    if (auto name = map.scalar("name", parse_name)) check.id = *name;
    if (context.errors.size() != errors_before) return std::nullopt;
    validate_schedule(context, map, item, schedule, keys);
  }
  check.interval = schedule.interval;
  check.timeout = schedule.timeout;
  check.jitter = schedule.jitter;
  check.confirmations = schedule.confirmations;
  check.confirm_spacing = schedule.confirm_spacing;
  if (check.id.empty()) check.id = default_check_id(check.kind, check.params);

  // What the check needs from its target.
  const bool has_endpoint = rc.target.address.has_value() || !rc.target.host.empty();
  const bool needs_endpoint = [&] {
    switch (check.kind) {
      case CheckKind::icmp:
      case CheckKind::tcp:
      case CheckKind::smtp:
      case CheckKind::traceroute: return true;
      case CheckKind::dns: return !std::get<DnsParams>(check.params).server.has_value();
      case CheckKind::http:
      case CheckKind::bgp:
      case CheckKind::resolve: return false;
    }
    return false;
  }();
  if (needs_endpoint && !has_endpoint)
    context.error(item, field, "the " + std::string(to_string(check.kind)) + " check needs the target's address or host");
  if (check.kind == CheckKind::bgp && rc.target.layer != Layer::bgp)
    context.error(item, field, "bgp checks belong to targets of layer bgp");
  if (check.kind != CheckKind::bgp && rc.target.layer == Layer::bgp)
    context.error(item, field, "a target of layer bgp holds only bgp checks");
  return check;
}

void read_target(Context& context, const YAML::Node& node, std::size_t index, const Config& config, std::set<std::string>& names,
                 std::vector<Target>& targets) {
  const std::string field = "targets[" + std::to_string(index) + "]";
  MapReader map(context, node, field, "targets[]");
  if (!map.valid()) return;
  Target target;
  map.require("name");
  map.require("layer");
  map.require("checks");
  if (auto name = map.scalar("name", parse_name)) {
    target.name = *name;
    if (!names.insert(target.name).second)
      context.error(*map.get("name"), map.join("name"), "duplicate target name " + quoted(target.name));
  }
  if (auto layer = map.scalar("layer", [](std::string_view t) -> Expected<Layer> {
        if (auto l = layer_from_string(t)) return *l;
        return make_error("expected one of web, mail, dns, router, host, bgp, got " + quoted(t));
      }))
    target.layer = *layer;
  if (const YAML::Node* groups = map.get("groups")) {
    if (!groups->IsSequence()) {
      context.error(*groups, map.join("groups"), "expected a list of group names, got " + describe(*groups));
    } else {
      for (std::size_t i = 0; i < groups->size(); ++i) {
        const std::string group_field = map.join("groups") + "[" + std::to_string(i) + "]";
        if (auto group = map.parse_scalar((*groups)[i], group_field, parse_name)) {
          if (!config.groups.empty() && !config.groups.contains(*group))
            context.error((*groups)[i], group_field, "group " + quoted(*group) + " is not declared under groups");
          target.groups.push_back(*group);
        }
      }
    }
  }
  if (const YAML::Node* address = map.get("address")) {
    if (auto ip = map.parse_scalar(*address, map.join("address"), parse_address)) {
      // Kept even when refused, so that its checks do not also complain of a missing address.
      address_allowed(context, config.lab_only, *ip, *address, map.join("address"));
      target.address = *ip;
    }
  }
  if (auto host = map.scalar("host", parse_host_name)) target.host = *host;
  if (auto description = map.scalar("description", [](std::string_view t) -> Expected<std::string> { return std::string(t); }))
    target.description = *description;
  if (auto weight = map.scalar("weight", parse_number)) {
    // Bounded so that sums of weights neither round a target away nor overflow (detection
    // adds them up per layer and per network).
    if (*weight < min_target_weight || *weight > max_target_weight)
      context.error(*map.get("weight"), map.join("weight"),
                    "weight must be from 1e-06 to 1e+06, got " + map.get("weight")->Scalar());
    target.weight = *weight;
  }
  if (auto control = map.scalar("control", parse_boolean)) target.control = *control;

  Schedule schedule{config.defaults.interval, config.defaults.timeout, config.defaults.jitter, config.defaults.confirm_spacing,
                    config.defaults.confirmations};
  const ScheduleKeys keys = read_schedule(map, schedule, false);
  validate_schedule(context, map, node, schedule, keys);

  if (const YAML::Node* checks = map.get("checks")) {
    if (!checks->IsSequence()) {
      context.error(*checks, map.join("checks"), "expected a list of checks, got " + describe(*checks));
    } else if (checks->size() == 0) {
      context.error(*checks, map.join("checks"), "a target needs at least one check");
    } else {
      CheckReadContext rc{context, config.lab_only, target, schedule};
      std::set<std::string> ids;
      for (std::size_t i = 0; i < checks->size(); ++i) {
        const std::string check_field = map.join("checks") + "[" + std::to_string(i) + "]";
        if (auto check = read_check((*checks)[i], check_field, rc)) {
          if (!ids.insert(check->id).second)
            context.error((*checks)[i], check_field, "duplicate check " + quoted(check->id) + " in this target; give one a name");
          target.checks.push_back(std::move(*check));
        }
      }
    }
  }
  targets.push_back(std::move(target));
}

// A list of plain words under `key` of `map`, each checked by `accept` (which reports).
std::vector<std::string> read_words(MapReader& map, std::string_view key,
                                    const std::function<bool(const YAML::Node&, const std::string&)>& accept) {
  std::vector<std::string> out;
  const YAML::Node* node = map.get(key);
  if (!node) return out;
  if (!node->IsSequence()) {
    map.context().error(*node, map.join(key), "expected a list, got " + describe(*node));
    return out;
  }
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node& item = (*node)[i];
    const std::string field = map.join(key) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      map.context().error(item, field, "expected a single value, got " + describe(item));
      continue;
    }
    if (accept(item, field)) out.push_back(item.Scalar());
  }
  return out;
}

// An SMTP server URL for alert e-mail: smtp://host[:port] or smtps://host[:port].
bool valid_smtp_url(std::string_view url) { return url.starts_with("smtp://") || url.starts_with("smtps://"); }

void read_alerts(Context& context, const YAML::Node& node, Config& config) {
  MapReader map(context, node, "alerts", "alerts");
  if (!map.valid()) return;
  AlertsConfig& alerts = config.alerts;
  if (auto v = map.scalar("group_window", parse_duration)) alerts.group_window = *v;
  std::set<std::string> channel_names;
  if (const YAML::Node* channels = map.get("channels")) {
    if (!channels->IsSequence()) {
      context.error(*channels, "alerts.channels", "expected a list of channels, got " + describe(*channels));
    } else {
      for (std::size_t i = 0; i < channels->size(); ++i) {
        const std::string field = "alerts.channels[" + std::to_string(i) + "]";
        MapReader c(context, (*channels)[i], field, "alerts.channels[]");
        if (!c.valid()) continue;
        AlertChannel channel;
        c.require("name");
        if (auto v = c.scalar("name", parse_name)) {
          channel.name = *v;
          if (!channel_names.insert(channel.name).second) context.error(*c.get("name"), c.join("name"), "duplicate channel");
        }
        const YAML::Node* webhook = c.get("webhook");
        const YAML::Node* email = c.get("email");
        if ((webhook != nullptr) == (email != nullptr)) {
          context.error((*channels)[i], field, "a channel is either a webhook or an email");
          continue;
        }
        if (webhook) {
          MapReader w(context, *webhook, c.join("webhook"), "alerts.channels[].webhook");
          if (!w.valid()) continue;
          w.require("url");
          if (const YAML::Node* url = w.get("url")) {
            if (auto parsed = w.parse_scalar(*url, w.join("url"), parse_http_url)) {
              channel.url = url->Scalar();
              if (auto ip = IpAddress::parse(parsed->host)) address_allowed(context, config.lab_only, *ip, *url, w.join("url"));
            }
          }
          if (auto v = w.scalar("format", [](std::string_view t) -> Expected<std::string> {
                if (t == "json" || t == "slack" || t == "matrix") return std::string(t);
                return make_error("expected json, slack or matrix, got " + quoted(t));
              }))
            channel.format = *v;
        } else {
          channel.kind = AlertChannel::Kind::email;
          MapReader m(context, *email, c.join("email"), "alerts.channels[].email");
          if (!m.valid()) continue;
          m.require("server");
          m.require("from");
          m.require("to");
          if (auto v = m.scalar("server", [](std::string_view t) -> Expected<std::string> {
                if (valid_smtp_url(t) && t.size() > 8) return std::string(t);
                return make_error("expected smtp://host[:port] or smtps://host[:port], got " + quoted(t));
              }))
            channel.server = *v;
          const auto address = [](std::string_view t) -> Expected<std::string> {
            if (t.find('@') != std::string_view::npos && t.find_first_of(" <>\r\n,") == std::string_view::npos)
              return std::string(t);
            return make_error("expected an e-mail address, got " + quoted(t));
          };
          if (auto v = m.scalar("from", address)) channel.from = *v;
          channel.to = read_words(m, "to", [&](const YAML::Node& item, const std::string& item_field) {
            return m.parse_scalar(item, item_field, address).has_value();
          });
          if (m.get("to") && m.get("to")->IsSequence() && m.get("to")->size() == 0)
            context.error(*m.get("to"), m.join("to"), "the list of recipients is empty");
        }
        alerts.channels.push_back(std::move(channel));
      }
    }
  }
  if (const YAML::Node* rules = map.get("rules")) {
    if (!rules->IsSequence()) {
      context.error(*rules, "alerts.rules", "expected a list of rules, got " + describe(*rules));
      return;
    }
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string field = "alerts.rules[" + std::to_string(i) + "]";
      MapReader r(context, (*rules)[i], field, "alerts.rules[]");
      if (!r.valid()) continue;
      AlertRule rule;
      rule.name = "rule" + std::to_string(i + 1);
      if (auto v = r.scalar("name", parse_name)) rule.name = *v;
      std::string scope = "network";
      if (auto v = r.scalar("scope", [](std::string_view t) -> Expected<std::string> {
            if (t == "target" || t == "layer" || t == "network" || t == "group") return std::string(t);
            return make_error("expected target, layer, network or group, got " + quoted(t));
          }))
        scope = *v;
      rule.scope = scope == "layer" ? Scope::layer : scope == "network" ? Scope::network : Scope::target;
      const auto subjects = read_words(r, "subjects", [&](const YAML::Node& item, const std::string& item_field) {
        const std::string name = item.Scalar();
        bool known = false;
        if (scope == "target")
          known = std::any_of(config.targets.begin(), config.targets.end(), [&](const Target& t) { return t.name == name; });
        else if (scope == "layer") known = layer_from_string(name).has_value();
        else if (scope == "group") known = config.groups.contains(name);
        if (!known)
          context.error(item, item_field,
                        scope == "network" ? "a network rule has no subjects" : "no " + scope + " " + quoted(name));
        return known;
      });
      (scope == "group" ? rule.groups : rule.subjects) = subjects;
      if (scope == "group" && r.get("subjects") == nullptr)
        context.error((*rules)[i], r.join("subjects"), "a group rule names its groups");
      if (r.get("kinds")) {
        rule.kinds.clear();
        for (const std::string& word : read_words(r, "kinds", [&](const YAML::Node&item, const std::string&item_field) {
               if (change_kind_from_string(item.Scalar())) return true;
               context.error(item, item_field, "expected down, stressed or recovered, got " + quoted(item.Scalar()));
               return false;
             }))
          rule.kinds.push_back(*change_kind_from_string(word));
      }
      r.require("channels");
      rule.channels = read_words(r, "channels", [&](const YAML::Node& item, const std::string& item_field) {
        if (channel_names.contains(item.Scalar())) return true;
        context.error(item, item_field, "no channel " + quoted(item.Scalar()) + " in alerts.channels");
        return false;
      });
      alerts.rules.push_back(std::move(rule));
    }
  }
}

void read_bgp_feed(Context& context, const YAML::Node& node, Config& config) {
  MapReader map(context, node, "bgp", "bgp");
  if (!map.valid()) return;
  BgpFeedConfig& feed = config.bgp;
  map.require("local_as");
  if (auto v = map.scalar("local_as", parse_as_number)) {
    if (*v == 0) context.error(*map.get("local_as"), "bgp.local_as", "AS 0 is reserved (RFC 7607)");
    feed.local_as = *v;
  }
  if (auto v = map.scalar("router_id", parse_address)) {
    if (!v->is_v4() || v->v4_host_order() == 0)
      context.error(*map.get("router_id"), "bgp.router_id", "a BGP identifier is a non-zero IPv4 address, got " + v->to_string());
    else feed.router_id = *v;
  }
  map.require("sessions");
  const YAML::Node* sessions = map.get("sessions");
  if (!sessions) return;
  if (!sessions->IsSequence() || sessions->size() == 0) {
    context.error(*sessions, "bgp.sessions", "expected a list of sessions, got " + describe(*sessions));
    return;
  }
  std::set<std::string> names, endpoints;
  for (std::size_t i = 0; i < sessions->size(); ++i) {
    const YAML::Node& item = (*sessions)[i];
    const std::string field = "bgp.sessions[" + std::to_string(i) + "]";
    MapReader r(context, item, field, "bgp.sessions[]");
    if (!r.valid()) continue;
    BgpSessionSpec spec;
    if (auto v = r.scalar("passive", parse_boolean)) spec.passive = *v;
    r.require("peer");
    if (auto v = r.scalar("peer", [](std::string_view t) { return parse_endpoint(t, 179); })) {
      spec.peer_address = v->address;
      spec.peer_port = v->port;
      address_allowed(context, config.lab_only, v->address, *r.get("peer"), r.join("peer"));
      if (v->port == 0 && !spec.passive) context.error(*r.get("peer"), r.join("peer"), "port 0 cannot be connected to");
    }
    spec.local_port = spec.passive ? 179 : 0;
    if (auto v = r.scalar("local", [&](std::string_view t) { return parse_endpoint(t, spec.local_port); })) {
      spec.local_address = v->address;
      spec.local_port = v->port;
      address_allowed(context, config.lab_only, v->address, *r.get("local"), r.join("local"));
      if (r.has("peer") && v->address.is_v4() != spec.peer_address.is_v4())
        context.error(*r.get("local"), r.join("local"), "local and peer are not of the same address family");
    }
    r.require("peer_as");
    if (auto v = r.scalar("peer_as", parse_as_number)) spec.peer_as = *v;
    if (auto v = r.scalar("hold_time", [](std::string_view t) { return parse_integer(t, 0, 65535); })) {
      if (*v != 0 && *v < 3)
        context.error(*r.get("hold_time"), r.join("hold_time"), "a hold time is 0 or at least 3 seconds (RFC 4271 4.2)");
      else spec.hold_time = static_cast<std::uint16_t>(*v);
    }
    if (r.has("peer") && !endpoints.insert(spec.peer_address.to_string() + " port " + std::to_string(spec.peer_port)).second)
      context.error(*r.get("peer"), r.join("peer"), "another session has the same peer");
    spec.name = spec.peer_address.to_string();
    if (auto v = r.scalar("name", parse_name)) spec.name = *v;
    if (r.has("peer") && !names.insert(spec.name).second)
      context.error(item, field, "two sessions are called " + quoted(spec.name) + "; give them names");
    if (!feed.router_id && !spec.peer_address.is_v4() && r.has("peer"))
      context.error(item, field, "a session over IPv6 needs bgp.router_id (a BGP identifier is an IPv4 address)");
    feed.sessions.push_back(std::move(spec));
  }
}

void read_resolver(Context& context, const YAML::Node& node, Config& config) {
  MapReader map(context, node, "resolver", "resolver");
  if (!map.valid()) return;
  ResolverConfig& resolver = config.resolver;
  if (const YAML::Node* servers = map.get("servers")) {
    if (!servers->IsSequence() || servers->size() == 0) {
      context.error(*servers, "resolver.servers", "expected a list of ADDRESS[:PORT], got " + describe(*servers));
    } else {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < servers->size(); ++i) {
        const std::string field = "resolver.servers[" + std::to_string(i) + "]";
        const auto endpoint = map.parse_scalar((*servers)[i], field, [](std::string_view t) { return parse_endpoint(t, 53); });
        if (!endpoint) continue;
        if (endpoint->port == 0) {
          context.error((*servers)[i], field, "port 0 cannot be asked");
          continue;
        }
        if (!address_allowed(context, config.lab_only, endpoint->address, (*servers)[i], field)) continue;
        if (!seen.insert(endpoint->address.to_string() + " port " + std::to_string(endpoint->port)).second) {
          context.error((*servers)[i], field, "the same server twice");
          continue;
        }
        resolver.servers.push_back(ResolverServer{endpoint->address, endpoint->port});
      }
    }
  }
  const auto bounded = [&](const char* key, Duration& slot, Duration min, Duration max) {
    if (auto v = map.scalar(key, parse_duration)) {
      if (*v < min || *v > max)
        context.error(*map.get(key), std::string("resolver.") + key,
                      "must be from " + format_duration(min) + " to " + format_duration(max));
      else slot = *v;
    }
  };
  bounded("timeout", resolver.timeout, 10ms, 30s);
  if (auto v = map.scalar("tries", [](std::string_view t) { return parse_integer(t, 1, 10); }))
    resolver.tries = static_cast<int>(*v);
  bounded("min_ttl", resolver.min_ttl, 100ms, std::chrono::hours(1));
  bounded("max_ttl", resolver.max_ttl, 100ms, std::chrono::hours(24));
  if (resolver.max_ttl < resolver.min_ttl) context.error(node, "resolver.max_ttl", "must not be below min_ttl");
}

std::string default_vantage() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "vantage";
  return buffer;
}

Config read_config(Context& context, const YAML::Node& root) {
  Config config;
  config.source = context.file;
  config.vantage = default_vantage();
  if (!root.IsDefined() || root.IsNull()) {
    context.error(root, "", "the file is empty; a config needs at least a list of targets");
    return config;
  }
  MapReader map(context, root, "", "");
  if (!map.valid()) return config;
  if (auto v = map.scalar("vantage", parse_name)) config.vantage = *v;
  if (map.scalar("store", parse_store_url)) config.store = map.get("store")->Scalar();
  if (auto v = map.scalar("lab_only", parse_boolean)) config.lab_only = *v;
  if (const YAML::Node* retention = map.get("retention")) {
    MapReader r(context, *retention, "retention", "retention");
    if (r.valid()) {
      if (auto v = r.scalar("raw", parse_duration)) config.retention.raw = *v;
      if (auto v = r.scalar("rollups", parse_duration)) config.retention.rollups = *v;
      if (config.retention.raw < std::chrono::minutes(10))
        context.error(*retention, "retention.raw", "keep raw results at least 10m");
      if (config.retention.rollups < config.retention.raw)
        context.error(*retention, "retention.rollups", "rollups must be kept at least as long as raw results");
    }
  }
  if (const YAML::Node* detection = map.get("detection")) {
    MapReader r(context, *detection, "detection", "detection");
    if (r.valid()) {
      DetectionParams& p = config.detection;
      const auto integer = [&](const char* key, int& slot, int min, int max) {
        if (auto v = r.scalar(key, [&](std::string_view text) { return parse_integer(text, min, max); }))
          slot = static_cast<int>(*v);
      };
      const auto shortest = [](double value) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", value);
        return std::string(text);
      };
      const auto number = [&](const char* key, double& slot, double min, double max) {
        if (auto v = r.scalar(key, parse_number)) {
          if (*v < min || *v > max)
            context.error(*r.get(key), std::string("detection.") + key,
                          "must be between " + shortest(min) + " and " + shortest(max));
          else slot = *v;
        }
      };
      integer("fall", p.fall, 1, 100);
      integer("rise", p.rise, 1, 100);
      integer("baseline_samples", p.baseline_samples, 4, 100000);
      integer("baseline_min_samples", p.baseline_min_samples, 1, 100000);
      integer("window", p.window, 1, 1000);
      number("inflation_threshold", p.inflation_threshold, 1.0001, 1e6);
      number("loss_threshold", p.loss_threshold, 0.0001, 1);
      number("stress_odds", p.stress_odds, 10, 1e12);
      integer("stress_fall", p.stress_fall, 1, 100);
      number("layer_down_share", p.layer_down_share, 0.0001, 1);
      number("layer_stressed_share", p.layer_stressed_share, 0.0001, 1);
      number("network_down_share", p.network_down_share, 0.0001, 1);
      number("network_stressed_share", p.network_stressed_share, 0.0001, 1);
      number("silence_chance", p.silence_chance, 1e-12, 0.5);
      if (auto v = r.scalar("silence_span", parse_span)) p.silence_span = *v;
      if (auto v = r.scalar("wave_gap", parse_span)) p.wave_gap = *v;
      if (auto v = r.scalar("stress_lead", parse_span)) p.stress_lead = *v;
      if (auto v = r.scalar("rtt_floor", parse_duration)) {
        if (*v <= Duration::zero()) context.error(*r.get("rtt_floor"), "detection.rtt_floor", "must be above zero");
        else p.rtt_floor = *v;
      }
      if (auto v = r.scalar("clean_cut_spread", parse_span)) p.clean_cut_spread = *v;
      integer("quorum", p.quorum, 0, 1000);
      if (p.baseline_min_samples > p.baseline_samples)
        context.error(*detection, "detection.baseline_min_samples", "must not be above baseline_samples");
    }
  }
  if (const YAML::Node* defaults = map.get("defaults")) {
    MapReader d(context, *defaults, "defaults", "defaults");
    if (d.valid()) {
      Schedule s{config.defaults.interval, config.defaults.timeout, config.defaults.jitter, config.defaults.confirm_spacing,
                 config.defaults.confirmations};
      const ScheduleKeys keys = read_schedule(d, s, true);
      validate_schedule(context, d, *defaults, s, keys);
      config.defaults = CheckDefaults{s.interval, s.timeout, s.jitter, s.confirmations, s.confirm_spacing};
    }
  }
  if (const YAML::Node* groups = map.get("groups")) {
    if (!groups->IsMap()) {
      context.error(*groups, "groups", "expected a mapping from group name to description, got " + describe(*groups));
    } else {
      for (const auto& pair : *groups) {
        const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : "";
        const std::string field = "groups." + name;
        if (!map.parse_scalar(pair.first, field, parse_name)) continue;
        if (config.groups.contains(name)) {
          context.error(pair.first, field, "duplicate group");
          continue;
        }
        if (!pair.second.IsNull() && !pair.second.IsScalar()) {
          context.error(pair.second, field, "expected a description, got " + describe(pair.second));
          continue;
        }
        config.groups[name] = pair.second.IsScalar() ? pair.second.Scalar() : "";
      }
    }
  }
  map.require("targets");
  if (const YAML::Node* targets = map.get("targets")) {
    if (!targets->IsSequence()) {
      context.error(*targets, "targets", "expected a list of targets, got " + describe(*targets));
    } else if (targets->size() == 0) {
      context.error(*targets, "targets", "the list of targets is empty");
    } else {
      std::set<std::string> names;
      for (std::size_t i = 0; i < targets->size(); ++i) read_target(context, (*targets)[i], i, config, names, config.targets);
    }
  }
  // After the targets and groups, which its rules name.
  if (const YAML::Node* alerts = map.get("alerts")) read_alerts(context, *alerts, config);
  if (const YAML::Node* bgp = map.get("bgp")) read_bgp_feed(context, *bgp, config);
  if (const YAML::Node* resolver = map.get("resolver")) read_resolver(context, *resolver, config);
  return config;
}

Expected<Config, ConfigErrors> load(std::string_view text, const std::string& source_name) {
  Context context{source_name, {}};
  YAML::Node root;
  try {
    // Every document, so that a second one after `---` is refused rather than dropped.
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.size() > 1) {
      context.error(documents[1], "",
                    "a second YAML document (after ---): a config is one document; merge them or split them into two files");
      return std::move(context.errors);
    }
    if (!documents.empty()) root = documents[0];
  } catch (const YAML::ParserException& e) {
    ConfigError error{source_name, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0, "",
                      "YAML syntax error: " + e.msg};
    return ConfigErrors{std::move(error)};
  } catch (const YAML::Exception& e) {
    return ConfigErrors{ConfigError{source_name, 0, 0, "", std::string("YAML error: ") + e.what()}};
  }
  Config config = read_config(context, root);
  if (!context.errors.empty()) {
    std::stable_sort(context.errors.begin(), context.errors.end(), [](const ConfigError& a, const ConfigError& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return std::move(context.errors);
  }
  return config;
}

}  // namespace

Expected<Config, ConfigErrors> load_config_text(std::string_view text, const std::string& source_name) {
  return load(text, source_name);
}

Expected<Config, ConfigErrors> load_config_file(const std::string& path) {
  const auto fail = [&](std::string message) { return ConfigErrors{ConfigError{path, 0, 0, "", std::move(message)}}; };
  // Looked at before anything is read: a directory, a device such as /dev/zero or a pipe
  // that never ends, or a file over the limit is refused at once, with no memory spent on it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::string("cannot open the file: ") + errno_text(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return fail(std::string("cannot read the file: ") + errno_text(error));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return fail("is a directory, not a config file");
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail("is not a regular file (a device, a pipe or a socket); a config is a YAML text file");
  }
  const auto too_large = [&] {
    return fail("the file is larger than " + std::to_string(max_config_bytes / (1024 * 1024)) + " MiB, the most a config may be");
  };
  if (static_cast<std::uint64_t>(info.st_size) > max_config_bytes) {
    ::close(fd);
    return too_large();
  }
  // Read at most one byte past the limit: a file that grows while it is read stays bounded.
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size) + 1);
  std::size_t length = 0;
  while (length <= max_config_bytes) {
    if (length == text.size()) text.resize(std::min<std::size_t>(text.size() * 2, max_config_bytes + 1));
    const ssize_t n = ::read(fd, text.data() + length, text.size() - length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return fail(std::string("cannot read the file: ") + errno_text(error));
    }
    if (n == 0) break;
    length += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (length > max_config_bytes) return too_large();
  text.resize(length);
  if (text.find('\0') != std::string::npos) return fail("the file holds NUL bytes; it is not a YAML text file");
  return load(text, path);
}

}  // namespace blackout
