// Events and waves as JSON documents, both ways.
#include "model/event_json.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

namespace blackout {
namespace {

using Json = nlohmann::ordered_json;

Json time_or_null(const std::optional<Timestamp>& t) { return t ? Json(format_rfc3339(*t)) : Json(nullptr); }

double rounded(double value, double scale = 1000) { return std::round(value * scale) / scale; }

Json event_json(const Event& e) {
  Json j;
  j["id"] = e.id;
  j["scope"] = std::string(to_string(e.scope));
  j["layer"] = e.layer ? Json(std::string(to_string(*e.layer))) : Json(nullptr);
  j["subject"] = e.subject;
  j["targets"] = e.targets;
  j["kind"] = std::string(to_string(e.kind));
  j["start"] = format_rfc3339(e.start);
  j["end"] = time_or_null(e.end);
  j["down_at"] = time_or_null(e.down_at);
  j["peak_stress"] = rounded(e.peak_stress);
  j["peak_inflation"] = rounded(e.peak_inflation);
  j["peak_loss"] = rounded(e.peak_loss);
  // The round trip at the peak and the normal it is measured against, in milliseconds.
  const auto ms = [](const std::optional<Duration>& d) {
    return d ? Json(rounded(std::chrono::duration<double, std::milli>(*d).count())) : Json(nullptr);
  };
  j["peak_rtt_ms"] = ms(e.peak_rtt);
  j["normal_rtt_ms"] = ms(e.normal_rtt);
  j["signature"] = std::string(to_string(e.signature));
  j["evidence"] = e.evidence;
  j["vantages"] = e.vantages;
  return j;
}

Json wave_json(const Wave& w) {
  Json j;
  j["id"] = w.id;
  j["start"] = format_rfc3339(w.start);
  j["end"] = time_or_null(w.end);
  j["events"] = w.events;
  j["signatures"] = Json::array();
  for (const Signature signature : w.signatures) j["signatures"].push_back(std::string(to_string(signature)));
  j["cascade"] = Json::array();
  for (const CascadeStep& step : w.cascade)
    j["cascade"].push_back({{"layer", std::string(to_string(step.layer))}, {"at", format_rfc3339(step.at)}});
  return j;
}

std::string dump(const Json& j, int indent = -1) { return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace); }

// Reading: each field checked for its type, the first one wrong named in the error.
class Reader {
 public:
  explicit Reader(const nlohmann::json& j) : j_(j) {}
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] bool ok() const { return error_.empty(); }

  std::string text(const char* name) {
    const auto* v = field(name);
    if (v && v->is_string()) return v->get<std::string>();
    fail(name, "a string");
    return {};
  }
  double number(const char* name) {
    const auto* v = field(name);
    if (v && v->is_number()) return v->get<double>();
    fail(name, "a number");
    return 0;
  }
  std::vector<std::string> texts(const char* name) {
    const auto* v = field(name);
    std::vector<std::string> out;
    if (v && v->is_array()) {
      for (const auto& item : *v) {
        if (!item.is_string()) {
          fail(name, "a list of strings");
          return {};
        }
        out.push_back(item.get<std::string>());
      }
      return out;
    }
    fail(name, "a list of strings");
    return out;
  }
  std::optional<Timestamp> time(const char* name, bool nullable) {
    const auto* v = field(name);
    if (v && nullable && v->is_null()) return std::nullopt;
    if (v && v->is_string())
      if (auto t = parse_rfc3339(v->get<std::string>())) return *t;
    fail(name, nullable ? "an RFC 3339 time or null" : "an RFC 3339 time");
    return std::nullopt;
  }
  std::optional<Duration> milliseconds(const char* name) {
    const auto* v = field(name);
    if (v && v->is_null()) return std::nullopt;
    if (v && v->is_number())
      return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(v->get<double>()));
    fail(name, "milliseconds or null");
    return std::nullopt;
  }
  std::optional<Layer> layer(const char* name, bool nullable) {
    const auto* v = field(name);
    if (v && nullable && v->is_null()) return std::nullopt;
    if (v && v->is_string())
      if (auto l = layer_from_string(v->get<std::string>())) return l;
    fail(name, "a layer");
    return std::nullopt;
  }
  Scope scope(const char* name) {
    const std::string s = text(name);
    if (const auto scope = scope_from_string(s)) return *scope;
    if (ok()) fail(name, "target, layer or network");
    return Scope::target;
  }
  State kind(const char* name) {
    const std::string s = text(name);
    if (const auto state = state_from_string(s); state == State::down || state == State::stressed) return *state;
    if (ok()) fail(name, "down or stressed");
    return State::stressed;
  }
  Signature signature(const char* name) {
    const std::string s = text(name);
    if (const auto signature = signature_from_string(s)) return *signature;
    if (ok()) fail(name, "a signature (stress-led, clean-cut, ...)");
    return Signature::none;
  }
  std::vector<Signature> signatures(const char* name) {
    std::vector<Signature> out;
    for (const std::string& s : texts(name)) {
      const auto signature = signature_from_string(s);
      if (!signature) {
        fail(name, "a list of signatures (stress-led, clean-cut, ...)");
        return {};
      }
      out.push_back(*signature);
    }
    return out;
  }
  const nlohmann::json* field(const char* name) {
    const auto it = j_.find(name);
    return it == j_.end() ? nullptr : &*it;
  }
  void fail(const char* name, const char* expected) {
    if (error_.empty()) error_ = std::string("field ") + name + ": expected " + expected;
  }

 private:
  const nlohmann::json& j_;
  std::string error_;
};

Expected<nlohmann::json> parse_object(std::string_view document) {
  auto j = nlohmann::json::parse(document, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("not a JSON object");
  return j;
}

}  // namespace

std::string event_to_json(const Event& event) { return dump(event_json(event)); }
std::string wave_to_json(const Wave& wave) { return dump(wave_json(wave)); }

std::string events_to_json(const std::vector<Event>& events, const std::vector<Wave>& waves) {
  Json doc;
  doc["events"] = Json::array();
  for (const Event& e : events) doc["events"].push_back(event_json(e));
  doc["waves"] = Json::array();
  for (const Wave& w : waves) doc["waves"].push_back(wave_json(w));
  return dump(doc, 2);
}

Expected<Event> event_from_json(std::string_view document) {
  auto j = parse_object(document);
  if (!j) return j.error();
  Reader r(*j);
  Event e;
  e.id = r.text("id");
  e.scope = r.scope("scope");
  e.layer = r.layer("layer", true);
  e.subject = r.text("subject");
  e.targets = r.texts("targets");
  e.kind = r.kind("kind");
  e.start = r.time("start", false).value_or(Timestamp{});
  e.end = r.time("end", true);
  e.down_at = r.time("down_at", true);
  e.peak_stress = r.number("peak_stress");
  e.peak_inflation = r.number("peak_inflation");
  e.peak_loss = r.number("peak_loss");
  e.peak_rtt = r.milliseconds("peak_rtt_ms");
  e.normal_rtt = r.milliseconds("normal_rtt_ms");
  e.signature = r.signature("signature");
  e.evidence = r.texts("evidence");
  e.vantages = r.texts("vantages");
  if (!r.ok()) return make_error(r.error());
  return e;
}

Expected<Wave> wave_from_json(std::string_view document) {
  auto j = parse_object(document);
  if (!j) return j.error();
  Reader r(*j);
  Wave w;
  w.id = r.text("id");
  w.start = r.time("start", false).value_or(Timestamp{});
  w.end = r.time("end", true);
  w.events = r.texts("events");
  w.signatures = r.signatures("signatures");
  const auto* cascade = r.field("cascade");
  if (!cascade || !cascade->is_array()) r.fail("cascade", "a list of steps");
  else
    for (const auto& step : *cascade) {
      if (!step.is_object()) {
        r.fail("cascade", "a list of steps");
        break;
      }
      Reader s(step);
      const auto layer = s.layer("layer", false);
      const auto at = s.time("at", false);
      if (!s.ok() || !layer || !at) {
        r.fail("cascade", ("steps of a layer and a time (" + s.error() + ")").c_str());
        break;
      }
      w.cascade.push_back(CascadeStep{*layer, *at});
    }
  if (!r.ok()) return make_error(r.error());
  return w;
}

}  // namespace blackout
