// http check: libcurl multi on the event loop.
#include "probes/http/http_probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "config/values.hpp"
#include "model/result_fields.hpp"
#include "probes/common/socket.hpp"
#include "probes/http/cert_date.hpp"

namespace blackout {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

Duration micros_info(CURL* easy, CURLINFO info) {
  curl_off_t value = 0;
  curl_easy_getinfo(easy, info, &value);
  return Duration{value};
}

std::string bracketed(const IpAddress& ip) { return ip.is_v4() ? ip.to_string() : "[" + ip.to_string() + "]"; }

}  // namespace

HttpProbe::Transfer::~Transfer() {
  curl_slist_free_all(connect_to);
  curl_slist_free_all(headers);
  if (easy) curl_easy_cleanup(easy);
}

HttpProbe::HttpProbe(EventLoop& loop) : loop_(loop) {
  static CurlGlobal global;
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpProbe::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpProbe::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

HttpProbe::~HttpProbe() {
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();
  if (timer_) loop_.cancel(*timer_);
  curl_multi_cleanup(multi_);
}

std::span<const FieldSpec> HttpProbe::fields() const { return fields_of(CheckKind::http); }

int HttpProbe::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto* probe = static_cast<HttpProbe*>(self);
  if (what == CURL_POLL_REMOVE) {
    probe->loop_.unwatch(fd);
    return 0;
  }
  std::uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= io_readable;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= io_writable;
  probe->loop_.watch(fd, events, [probe, fd](std::uint32_t ready) {
    int flags = 0;
    if (ready & io_readable) flags |= CURL_CSELECT_IN;
    if (ready & io_writable) flags |= CURL_CSELECT_OUT;
    if (ready & (io_error | io_hangup)) flags |= CURL_CSELECT_ERR;
    probe->act(fd, flags);
  });
  return 0;
}

int HttpProbe::on_timer(CURLM*, long timeout_ms, void* self) {
  auto* probe = static_cast<HttpProbe*>(self);
  if (probe->timer_) probe->loop_.cancel(*probe->timer_);
  probe->timer_.reset();
  if (timeout_ms >= 0)
    probe->timer_ = probe->loop_.after(std::chrono::milliseconds(timeout_ms), [probe] {
      probe->timer_.reset();
      probe->act(CURL_SOCKET_TIMEOUT, 0);
    });
  return 0;
}

std::size_t HttpProbe::on_body(char* data, std::size_t size, std::size_t count, void* userp) {
  auto* transfer = static_cast<Transfer*>(userp);
  const std::size_t n = size * count;
  transfer->body_bytes += n;
  if (transfer->body.size() < max_body) transfer->body.append(data, std::min(n, max_body - transfer->body.size()));
  return n;
}

std::size_t HttpProbe::on_header(char*, std::size_t size, std::size_t count, void* userp) {
  auto* transfer = static_cast<Transfer*>(userp);
  const std::size_t n = size * count;
  transfer->header_bytes += n;
  if (transfer->header_bytes > max_headers) {
    transfer->headers_too_large = true;
    return 0;  // aborts the transfer
  }
  return n;
}

curl_socket_t HttpProbe::on_open_socket(void* userp, curlsocktype, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(userp);
  std::optional<IpAddress> ip;
  if (address->family == AF_INET && address->addrlen >= sizeof(sockaddr_in)) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr, 4);
    ip = v4;
  } else if (address->family == AF_INET6 && address->addrlen >= sizeof(sockaddr_in6)) {
    IpAddress v6;
    v6.family = IpAddress::Family::v6;
    std::memcpy(v6.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr, 16);
    ip = v6;
  }
  if (!ip || !is_lab_address(*ip)) {
    transfer->refused_address = ip ? ip->to_string() : "an address of family " + std::to_string(address->family);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

Expected<const RE2*> HttpProbe::pattern_for(const Check& check) {
  const auto& params = std::get<HttpParams>(check.params);
  if (params.body_match.empty()) return nullptr;
  auto it = patterns_.find(params.body_match);
  if (it == patterns_.end()) {
    auto compiled = compile_body_pattern(params.body_match);
    if (!compiled) return compiled.error();
    it = patterns_.emplace(params.body_match, std::move(*compiled)).first;
  }
  return it->second.get();
}

void HttpProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<HttpParams>(request.check->params);
  auto transfer = std::make_unique<Transfer>();
  transfer->done = std::move(done);
  transfer->params = &params;
  transfer->check = request.check;
  CURL* easy = curl_easy_init();
  transfer->easy = easy;
  ++sent_;
  std::string url = params.url;
  const auto parsed = parse_http_url(params.url);
  if (parsed && !params.host_header.empty()) {
    // The Host and the TLS name are host_header's: put it in the URL, connect where we must.
    const std::size_t host_start = url.find("://") + 3;
    const std::size_t host_end = url.find_first_of("/?#", host_start);
    const std::string authority =
        url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
    const std::size_t colon = authority.rfind(':');
    const std::string port_suffix = (colon != std::string::npos && authority.find(']') < colon) ||
                                            (colon != std::string::npos && authority.find('[') == std::string::npos)
                                        ? authority.substr(colon)
                                        : "";
    url.replace(host_start, authority.size(), params.host_header + port_suffix);
  }
  if (parsed && (request.address || !params.host_header.empty())) {
    const std::string host = params.host_header.empty() ? parsed->host : params.host_header;
    const IpAddress* address = request.address ? &*request.address : nullptr;
    std::optional<IpAddress> literal = IpAddress::parse(parsed->host);
    if (!address && literal) address = &*literal;
    if (address) {
      const std::string connect_to = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                                     std::to_string(parsed->port) + ":" + bracketed(*address) + ":" +
                                     std::to_string(parsed->port);
      transfer->connect_to = curl_slist_append(nullptr, connect_to.c_str());
      curl_easy_setopt(easy, CURLOPT_CONNECT_TO, transfer->connect_to);
    }
  }
  transfer->headers = curl_slist_append(nullptr, "Accept: */*");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "blackout/0.1 (outage monitor)");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpProbe::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpProbe::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(request.check->timeout).count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  // No DNS cache: a monitor wants a fresh lookup each time, and curl prunes its cache by
  // walking every entry at each transfer (a sweep of 16,384 addresses made that quadratic).
  curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, params.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, params.tls_verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, params.tls_verify ? 2L : 0L);
  // Certificate details only where there is a certificate: gathering them is not free.
  if (parsed && parsed->scheme == "https") curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  if (params.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  if (params.lab_only) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &HttpProbe::on_open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, transfer.get());
  }
  transfers_.emplace(easy, std::move(transfer));
  curl_multi_add_handle(multi_, easy);
}

void HttpProbe::act(curl_socket_t fd, int flags) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
  collect();
}

void HttpProbe::collect() {
  int pending = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &pending)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    curl_multi_remove_handle(multi_, easy);
    auto node = transfers_.extract(easy);
    if (node.empty()) continue;
    Transfer& transfer = *node.mapped();
    Result result = judge(transfer, code);
    ProbeDone done = std::move(transfer.done);
    node.mapped().reset();
    done(std::move(result));
  }
}

Result HttpProbe::judge(Transfer& t, CURLcode code) {
  Result r;
  CURL* easy = t.easy;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  long redirects = 0;
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
  long os_errno = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  char* effective = nullptr;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
  char* remote = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &remote);
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);

  const Duration dns = micros_info(easy, CURLINFO_NAMELOOKUP_TIME_T), connect = micros_info(easy, CURLINFO_CONNECT_TIME_T),
                 tls = micros_info(easy, CURLINFO_APPCONNECT_TIME_T),
                 pretransfer = micros_info(easy, CURLINFO_PRETRANSFER_TIME_T),
                 first_byte = micros_info(easy, CURLINFO_STARTTRANSFER_TIME_T), total = micros_info(easy, CURLINFO_TOTAL_TIME_T);
  if (dns.count() > 0) r.phases.dns = dns;
  if (connect.count() > 0) r.phases.connect = connect - dns;
  if (tls.count() > 0) r.phases.tls = tls - connect;
  if (first_byte.count() > 0) r.phases.first_byte = first_byte - std::max(pretransfer, connect);

  r.fields.push_back({"url", t.params->url});
  if (status > 0) r.fields.push_back({"status", std::int64_t{status}});
  if (version != 0)
    r.fields.push_back({"http_version", std::string(version == CURL_HTTP_VERSION_1_0   ? "1.0"
                                                    : version == CURL_HTTP_VERSION_1_1 ? "1.1"
                                                    : version == CURL_HTTP_VERSION_2_0 ? "2"
                                                                                       : "3")});
  r.fields.push_back({"body_bytes", static_cast<std::int64_t>(t.body_bytes)});
  r.fields.push_back({"header_bytes", static_cast<std::int64_t>(t.header_bytes)});
  r.fields.push_back({"redirects", std::int64_t{redirects}});
  if (effective) r.fields.push_back({"final_url", std::string(effective)});
  if (remote && *remote) r.fields.push_back({"remote_address", std::string(remote)});

  // The leaf certificate's expiry, when TLS was used.
  std::optional<Timestamp> expires;
  curl_certinfo* certs = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &certs) == CURLE_OK && certs && certs->num_of_certs > 0)
    for (curl_slist* line = certs->certinfo[0]; line; line = line->next)
      if (std::string_view(line->data).starts_with("Expire date:"))
        expires = parse_cert_date(std::string_view(line->data).substr(12));
  std::optional<double> days_left;
  if (expires) {
    days_left = to_seconds(*expires - loop_.clock().wall_now()) / 86400;
    r.fields.push_back({"cert_expires", format_rfc3339(*expires, 0)});
    r.fields.push_back({"cert_days_left", std::round(*days_left * 100) / 100});
  }

  const auto failure = [&](Outcome outcome, std::uint64_t& count, std::string detail) {
    ++count;
    r.outcome = outcome;
    r.detail = std::move(detail);
  };
  const std::string curl_text = curl_easy_strerror(code);
  if (code != CURLE_OK && !t.refused_address.empty()) {
    r.outcome = Outcome::not_permitted;
    r.detail = "not connected to " + t.refused_address +
               (redirects > 0 ? " (after " + std::to_string(redirects) + " redirects)" : "") +
               ": outside loopback and the lab ranges, and lab_only is set";
    ++refused_by_lab_only_;
    return r;
  }
  switch (code) {
    case CURLE_OK: break;
    case CURLE_OPERATION_TIMEDOUT:
      failure(Outcome::timeout, timeouts_,
              t.body_bytes > 0 ? "the body did not arrive in time"
              : status > 0     ? "the body did not arrive in time"
                               : "no answer in time");
      return r;
    case CURLE_COULDNT_RESOLVE_HOST: failure(Outcome::resolve_error, other_errors_, curl_text); return r;
    case CURLE_COULDNT_CONNECT: {
      const Outcome o = os_errno ? outcome_from_errno(static_cast<int>(os_errno)) : Outcome::network_error;
      failure(o == Outcome::ok ? Outcome::network_error : o, o == Outcome::refused ? refused_ : other_errors_,
              "connect: " + (os_errno ? errno_name(static_cast<int>(os_errno)) : curl_text));
      return r;
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: failure(Outcome::tls_error, tls_errors_, curl_text); return r;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      if (os_errno == ECONNRESET || os_errno == EPIPE || code == CURLE_PARTIAL_FILE)
        failure(Outcome::reset, resets_,
                "the connection broke mid-transfer after " + std::to_string(t.body_bytes) + " body bytes (" + curl_text + ")");
      else failure(Outcome::network_error, other_errors_, curl_text);
      return r;
    case CURLE_WRITE_ERROR:
      failure(Outcome::bad_reply, bad_replies_, t.headers_too_large ? "headers larger than 64 KiB" : curl_text);
      return r;
    case CURLE_TOO_MANY_REDIRECTS: failure(Outcome::bad_status, bad_status_, curl_text); return r;
    case CURLE_OUT_OF_MEMORY:
      // What curl answers when one header (or status) line passes its 100 KiB limit, before
      // our header callback sees it: the server's doing, not a shortage of memory here.
      failure(Outcome::bad_reply, bad_replies_, "a header line longer than 100 KiB");
      return r;
    default: failure(Outcome::bad_reply, bad_replies_, curl_text); return r;
  }
  r.rtt = total;
  const auto& expected = t.params->expect_status;
  if (std::find(expected.begin(), expected.end(), static_cast<int>(status)) == expected.end()) {
    failure(Outcome::bad_status, bad_status_, "status " + std::to_string(status));
    return r;
  }
  const auto pattern = pattern_for(*t.check);
  if (!pattern) {
    failure(Outcome::bad_body, bad_body_, "body_match cannot be used: " + pattern.error().message);
    return r;
  }
  if (*pattern) {
    const bool matched = RE2::PartialMatch(t.body, **pattern);
    r.fields.push_back({"body_matched", matched});
    if (!matched) {
      failure(Outcome::bad_body, bad_body_, "the body does not match " + t.params->body_match);
      return r;
    }
  }
  if (days_left && *days_left * 86400 < to_seconds(t.params->cert_expiry_warning)) {
    r.outcome = Outcome::cert_expiring;
    r.detail = "the certificate expires in " + std::to_string(static_cast<int>(*days_left)) + " days";
    ++ok_;
    return r;
  }
  r.outcome = Outcome::ok;
  ++ok_;
  return r;
}

std::vector<Counter> HttpProbe::counters() const {
  return {{"sent", sent_},
          {"ok", ok_},
          {"timeouts", timeouts_},
          {"refused", refused_},
          {"tls_errors", tls_errors_},
          {"bad_status", bad_status_},
          {"bad_body", bad_body_},
          {"bad_replies", bad_replies_},
          {"resets", resets_},
          {"other_errors", other_errors_},
          {"refused_by_lab_only", refused_by_lab_only_}};
}

}  // namespace blackout
