// The resolver's pure decisions.
#include "resolve/policy.hpp"

#include <algorithm>
#include <array>

namespace blackout {
namespace {

// Most telling first: what it says about the name, then about the servers, then silence.
constexpr std::array<QueryEnd, 7> failure_rank{QueryEnd::nxdomain,  QueryEnd::servfail, QueryEnd::refused_by_server,
                                               QueryEnd::bad_reply, QueryEnd::refused,  QueryEnd::timeout,
                                               QueryEnd::error};

Outcome outcome_of(QueryEnd end) {
  switch (end) {
    case QueryEnd::ok: return Outcome::ok;
    case QueryEnd::nxdomain: return Outcome::nxdomain;
    case QueryEnd::servfail: return Outcome::servfail;
    case QueryEnd::refused_by_server: return Outcome::refused_by_server;
    case QueryEnd::refused: return Outcome::refused;
    case QueryEnd::timeout: return Outcome::timeout;
    case QueryEnd::bad_reply: return Outcome::bad_reply;
    case QueryEnd::nodata:
    case QueryEnd::error: return Outcome::resolve_error;
  }
  return Outcome::resolve_error;
}

bool allowed(const IpAddress& ip, bool lab_only) { return !lab_only || is_lab_address(ip); }

bool answered(QueryEnd end) { return end == QueryEnd::ok || end == QueryEnd::nodata; }

}  // namespace

std::string_view to_string(QueryEnd end) {
  switch (end) {
    case QueryEnd::ok: return "ok";
    case QueryEnd::nodata: return "nodata";
    case QueryEnd::nxdomain: return "nxdomain";
    case QueryEnd::servfail: return "servfail";
    case QueryEnd::refused_by_server: return "refused-by-server";
    case QueryEnd::refused: return "refused";
    case QueryEnd::timeout: return "timeout";
    case QueryEnd::bad_reply: return "bad-reply";
    case QueryEnd::error: return "error";
  }
  return "error";
}

Outcome outcome_of(const Answer& answer) {
  if (!answer.v4.empty() || !answer.v6.empty()) return Outcome::ok;
  for (const QueryEnd end : failure_rank)
    if (answer.a == end || answer.aaaa == end) return outcome_of(end);
  return Outcome::resolve_error;  // both NODATA, or ok without records
}

KnownAddresses merge(const KnownAddresses& known, const Answer& answer) {
  KnownAddresses next = known;
  if (answered(answer.a)) next.v4 = answer.v4;
  if (answered(answer.aaaa)) next.v6 = answer.v6;
  return next;
}

std::optional<IpAddress> choose_address(const std::optional<IpAddress>& current, const KnownAddresses& known, bool lab_only) {
  if (current && allowed(*current, lab_only)) {
    const auto& family = current->is_v4() ? known.v4 : known.v6;
    if (std::find(family.begin(), family.end(), *current) != family.end()) return current;
  }
  for (const auto* family : {&known.v4, &known.v6})
    for (const IpAddress& ip : *family)
      if (allowed(ip, lab_only)) return ip;
  return std::nullopt;
}

std::vector<IpAddress> refused_addresses(const KnownAddresses& known, bool lab_only) {
  std::vector<IpAddress> out;
  for (const auto* family : {&known.v4, &known.v6})
    for (const IpAddress& ip : *family)
      if (!allowed(ip, lab_only)) out.push_back(ip);
  return out;
}

Duration refresh_after(std::optional<std::uint32_t> ttl, Duration min_ttl, Duration max_ttl) {
  const Duration from_ttl = ttl ? Duration{std::chrono::seconds(*ttl)} : max_ttl;
  return std::clamp(from_ttl, min_ttl, std::max(min_ttl, max_ttl));
}

Duration retry_after(int failures, Duration min_ttl, Duration max_ttl) {
  Duration delay = min_ttl;
  for (int i = 1; i < failures && delay < max_ttl; ++i) delay *= 2;
  return std::min(delay, std::max(min_ttl, max_ttl));
}

}  // namespace blackout
