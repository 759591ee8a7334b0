// Result serializers.
#include "model/result_format.hpp"

#include <cmath>
#include <cstdio>

#include "util/strings.hpp"

namespace blackout {
namespace {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      // Bytes from the network are not trusted to be UTF-8: escape everything non-ASCII.
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string milliseconds(Duration d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", to_milliseconds(d));
  return buffer;
}

void append_json_value(std::string& out, const FieldValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) out += std::to_string(*i);
  else if (const auto* d = std::get_if<double>(&value)) {
    if (std::isfinite(*d)) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.6g", *d);
      out += buffer;
    } else {
      out += "null";
    }
  } else if (const auto* b = std::get_if<bool>(&value)) out += *b ? "true" : "false";
  else if (const auto* s = std::get_if<std::string>(&value)) append_json_string(out, *s);
  else if (const auto* dur = std::get_if<Duration>(&value)) out += milliseconds(*dur);
}

}  // namespace

std::string field_value_to_string(const FieldValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* dur = std::get_if<Duration>(&value)) return milliseconds(*dur) + "ms";
  std::string out;
  append_json_value(out, value);
  return out;
}

std::string result_to_json(const Result& r) {
  std::string out = "{\"time\":";
  append_json_string(out, format_rfc3339(r.time, 6));
  out += ",\"vantage\":";
  append_json_string(out, r.vantage);
  out += ",\"target\":";
  append_json_string(out, r.target);
  out += ",\"check\":";
  append_json_string(out, r.check);
  out += ",\"kind\":";
  append_json_string(out, to_string(r.kind));
  out += ",\"outcome\":";
  append_json_string(out, to_string(r.outcome));
  out += ",\"rtt_ms\":";
  out += r.rtt ? milliseconds(*r.rtt) : "null";
  const auto phase = [&](const char* name, const std::optional<Duration>& d) {
    if (!d) return;
    out += ",\"";
    out += name;
    out += "_ms\":" + milliseconds(*d);
  };
  phase("phase_dns", r.phases.dns);
  phase("phase_connect", r.phases.connect);
  phase("phase_tls", r.phases.tls);
  phase("phase_first_byte", r.phases.first_byte);
  out += ",\"confirmation\":";
  out += r.confirmation ? "true" : "false";
  for (const ResultField& field : r.fields) {
    out += ",";
    append_json_string(out, field.name);
    out += ":";
    append_json_value(out, field.value);
  }
  if (!r.detail.empty()) {
    out += ",\"detail\":";
    append_json_string(out, r.detail);
  }
  out += "}";
  return out;
}

std::string result_to_line(const Result& r) {
  std::string out =
      format_rfc3339(r.time) + " " + r.vantage + " " + r.target + " " + r.check + " " + std::string(to_string(r.outcome));
  if (r.rtt) out += " " + milliseconds(*r.rtt) + "ms";
  if (r.confirmation) out += " (confirmation)";
  for (const ResultField& field : r.fields) {
    const std::string value = field_value_to_string(field.value);
    out += " " + std::string(field.name) + "=" +
           (value.find(' ') != std::string::npos || value.empty() ? quoted(value) : printable(value));
  }
  if (!r.detail.empty()) out += " -- " + printable(r.detail);
  return out;
}

namespace {

std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string optional_ms(const std::optional<Duration>& d) { return d ? milliseconds(*d) : std::string(); }

}  // namespace

std::string csv_header() {
  return "time,vantage,target,check,kind,outcome,rtt_ms,phase_dns_ms,phase_connect_ms,phase_tls_ms,phase_first_byte_ms,"
         "confirmation,"
         "fields,detail";
}

std::string result_to_csv(const Result& r) {
  std::string fields = "{";
  for (const ResultField& field : r.fields) {
    if (fields.size() > 1) fields += ",";
    append_json_string(fields, field.name);
    fields += ":";
    append_json_value(fields, field.value);
  }
  fields += "}";
  std::string out = format_rfc3339(r.time, 6);
  for (const std::string& cell :
       {csv_cell(r.vantage), csv_cell(r.target), csv_cell(r.check), std::string(to_string(r.kind)),
        std::string(to_string(r.outcome)), optional_ms(r.rtt), optional_ms(r.phases.dns), optional_ms(r.phases.connect),
        optional_ms(r.phases.tls), optional_ms(r.phases.first_byte), std::string(r.confirmation ? "true" : "false"),
        csv_cell(fields), csv_cell(printable(r.detail, 1000))}) {
    out += ",";
    out += cell;
  }
  return out;
}

}  // namespace blackout
