// http and https: libcurl's multi interface driven by blackout's event loop — curl tells
// which sockets to watch and when its timer is due; no thread per probe, nothing blocks.
// Each probe uses a fresh connection, so that its phase timings (dns, connect, tls, first
// byte) measure the network, not a pooled connection. When the target has an address, the
// connection goes there while the URL's host (or host_header) stays the Host and TLS name.
// Under lab_only every connection curl opens, a redirect's included, is checked before the
// socket exists: one outside the lab is refused (not-permitted) and sends nothing.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <unordered_map>

#include "config/body_pattern.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"

namespace blackout {

class HttpProbe final : public Probe {
 public:
  explicit HttpProbe(EventLoop& loop);
  ~HttpProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::http; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;

  static constexpr std::size_t max_body = 1 << 20;
  static constexpr std::size_t max_headers = 64 * 1024;

 private:
  struct Transfer {
    ProbeDone done;
    const HttpParams* params = nullptr;
    const Check* check = nullptr;
    CURL* easy = nullptr;
    curl_slist* connect_to = nullptr;
    curl_slist* headers = nullptr;
    std::string body;
    std::size_t body_bytes = 0, header_bytes = 0;
    bool headers_too_large = false;
    std::string refused_address;  // a connection lab_only refused (a redirect out of the lab)
    ~Transfer();
  };
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* transfer);
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* transfer);
  static curl_socket_t on_open_socket(void* transfer, curlsocktype purpose, curl_sockaddr* address);
  void act(curl_socket_t fd, int flags);
  void collect();
  Result judge(Transfer& transfer, CURLcode code);
  // The check's compiled body_match (RE2: linear time, bounded memory), nullptr when it has
  // none, or why it does not compile (config check refuses such patterns; this is the guard).
  Expected<const RE2*> pattern_for(const Check& check);

  EventLoop& loop_;
  CURLM* multi_;
  std::optional<TimerId> timer_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::unordered_map<std::string, std::unique_ptr<RE2>> patterns_;
  std::uint64_t sent_ = 0, ok_ = 0, timeouts_ = 0, refused_ = 0, tls_errors_ = 0, bad_status_ = 0, bad_body_ = 0,
                bad_replies_ = 0, resets_ = 0, other_errors_ = 0, refused_by_lab_only_ = 0;
};

}  // namespace blackout
