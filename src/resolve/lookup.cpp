// A and AAAA lookups over c-ares.
#include "resolve/lookup.hpp"

#include <netdb.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace blackout {
namespace {

constexpr int type_a = 1;
constexpr int type_aaaa = 28;
// More records than this in one answer are not read: a name to probe needs one.
constexpr int max_records = 64;

QueryEnd end_of(int status) {
  switch (status) {
    case ARES_SUCCESS: return QueryEnd::ok;
    case ARES_ENODATA: return QueryEnd::nodata;
    case ARES_ENOTFOUND: return QueryEnd::nxdomain;
    case ARES_ESERVFAIL: return QueryEnd::servfail;
    case ARES_EREFUSED: return QueryEnd::refused_by_server;
    case ARES_ECONNREFUSED: return QueryEnd::refused;
    case ARES_ETIMEOUT: return QueryEnd::timeout;
    case ARES_EBADRESP:
    case ARES_EFORMERR: return QueryEnd::bad_reply;
    default: return QueryEnd::error;
  }
}

void lower(std::optional<std::uint32_t>& ttl, int record_ttl) {
  const auto value = static_cast<std::uint32_t>(std::max(record_ttl, 0));
  if (!ttl || value < *ttl) ttl = value;
}

}  // namespace

QueryEnd read_answer(int status, const std::vector<unsigned char>& bytes, bool v6, std::vector<IpAddress>& addresses,
                     std::optional<std::uint32_t>& ttl) {
  if (status != ARES_SUCCESS) return end_of(status);
  if (bytes.empty() || bytes.size() > 65535) return QueryEnd::bad_reply;
  const int length = static_cast<int>(bytes.size());
  int count = max_records;
  hostent* host = nullptr;
  int parsed = 0;
  if (v6) {
    std::array<ares_addr6ttl, max_records> records{};
    parsed = ares_parse_aaaa_reply(bytes.data(), length, &host, records.data(), &count);
    if (parsed == ARES_SUCCESS)
      for (int i = 0; i < count; ++i) {
        IpAddress ip;
        ip.family = IpAddress::Family::v6;
        std::memcpy(ip.bytes.data(), &records[static_cast<std::size_t>(i)].ip6addr, 16);
        addresses.push_back(ip);
        lower(ttl, records[static_cast<std::size_t>(i)].ttl);
      }
  } else {
    std::array<ares_addrttl, max_records> records{};
    parsed = ares_parse_a_reply(bytes.data(), length, &host, records.data(), &count);
    if (parsed == ARES_SUCCESS)
      for (int i = 0; i < count; ++i) {
        IpAddress ip;
        std::memcpy(ip.bytes.data(), &records[static_cast<std::size_t>(i)].ipaddr, 4);
        addresses.push_back(ip);
        lower(ttl, records[static_cast<std::size_t>(i)].ttl);
      }
  }
  if (host) ares_free_hostent(host);
  if (parsed == ARES_SUCCESS) return count > 0 ? QueryEnd::ok : QueryEnd::nodata;
  return parsed == ARES_ENODATA ? QueryEnd::nodata : QueryEnd::bad_reply;
}

void look_up(AresChannel& channel, const std::string& name, std::function<void(Answer&&)> done) {
  struct Pair {
    Answer answer;
    int pending = 2;
    std::function<void(Answer&&)> done;
  };
  auto state = std::make_shared<Pair>();
  state->done = std::move(done);
  for (const bool v6 : {false, true}) {
    channel.query(name, v6 ? type_aaaa : type_a, [state, v6](int status, const std::vector<unsigned char>& bytes) {
      Answer& answer = state->answer;
      (v6 ? answer.aaaa : answer.a) = read_answer(status, bytes, v6, v6 ? answer.v6 : answer.v4, answer.ttl);
      if (--state->pending == 0) state->done(std::move(state->answer));
    });
  }
}

}  // namespace blackout
