// A small, read-only HTTP/1.1 server on the monitor's event loop: GET and HEAD only, one
// request per connection, bounded in everything a client controls (request size, time to
// send it, connections at once), so that a hostile or broken client costs little and can
// never stall probing. Handlers are plain functions from a request to a response. Paths
// declared as streams instead stay open as Server-Sent Events (text/event-stream): the
// server pushes what broadcast() is given to each, with a heartbeat, and drops a client
// that does not keep up rather than buffering without bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loop.hpp"
#include "util/expected.hpp"
#include "util/stats.hpp"

namespace blackout {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpRequest {
  std::string path;   // without the query string
  std::string query;  // after '?', raw (see query_parameter)
};

// The value of `name` in a query string ("a=1&b=x%20y"), percent-decoded; empty when absent.
std::string query_parameter(const std::string& query, const std::string& name);

struct HttpServerOptions {
  std::string listen = "127.0.0.1:9813";  // address:port ([v6]:port for IPv6); port 0 picks one
  // Required (as "Authorization: Bearer TOKEN") on every request when not empty. The
  // monitor refuses a listen address off loopback without one.
  std::string bearer_token;
  // Names a client may give in its Host header besides IP addresses, localhost and
  // *.localhost (in any case, with or without a trailing dot). Any other name is refused (403), so that
  // a page whose name was made to resolve to this server (DNS rebinding) cannot read it.
  std::vector<std::string> allowed_hosts;
  std::size_t max_request_bytes = 8192;
  Duration request_timeout = std::chrono::seconds(10);
  std::size_t max_connections = 64;
  // Server-Sent Events: clients at once (within max_connections), the interval of the
  // comment line that keeps idle proxies and browsers from closing, and the most bytes
  // waiting for one client before it is dropped as too slow.
  std::size_t max_stream_clients = 16;
  Duration stream_heartbeat = std::chrono::seconds(15);
  std::size_t max_stream_backlog = 1 << 20;
};

struct HttpServerCounters {
  std::uint64_t requests = 0;
  std::uint64_t rejected = 0;        // malformed, too large, too slow, unauthorised, over the cap
  std::uint64_t stream_dropped = 0;  // stream clients dropped for not reading
};

// The first line of a token file without the whitespace around it; an error when the file
// cannot be read or that line holds nothing but whitespace.
Expected<std::string> read_bearer_token(const std::string& path);

// Whether `offered` is `secret`, in a time that depends on the secret's length only.
bool same_secret(std::string_view offered, std::string_view secret);

// Whether a Host header value names this server: an IP address (with or without a port),
// localhost, *.localhost, or one of `names`.
bool host_allowed(std::string_view host, const std::vector<std::string>& names);

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  using SimpleHandler = std::function<HttpResponse()>;

  // Binds and listens; an error names the address and why (in use, not an address, off
  // loopback without a bearer token: refused before anything is bound).
  static Expected<std::unique_ptr<HttpServer>> start(EventLoop& loop, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact paths (the query string is ignored).
  void route(const std::string& path, Handler handler) { routes_[path] = std::move(handler); }
  void route(const std::string& path, SimpleHandler handler) {
    routes_[path] = [h = std::move(handler)](const HttpRequest&) { return h(); };
  }
  // GET on `path` opens a Server-Sent Events stream; `greeting` (may be empty) is sent to
  // each new client first, e.g. the current time so that it knows it is connected.
  void stream(const std::string& path, std::function<std::string()> greeting);
  // Sends one event ("event: NAME\ndata: DATA\n\n"; DATA on one line) to every stream client.
  void broadcast(const std::string& event, const std::string& data);
  [[nodiscard]] std::size_t stream_clients() const;
  // The address actually bound, "127.0.0.1:40123".
  [[nodiscard]] const std::string& address() const { return bound_; }
  [[nodiscard]] const HttpServerCounters& counters() const { return counters_; }
  // blackout_http_*_total, for /metrics.
  void register_stats(Stats& stats) const;

 private:
  struct Connection;
  HttpServer(EventLoop& loop, HttpServerOptions options, int fd, std::string bound);
  void accept_all();
  void on_readable(int fd);
  void on_writable(int fd);
  void respond(Connection& connection, const HttpResponse& response, bool head_only);
  void open_stream(Connection& connection, const std::string& path);
  void push(Connection& connection, const std::string& bytes);
  void heartbeat();
  void close(int fd);
  HttpResponse handle(const std::string& method, const std::string& target, const std::string& authorization);
  [[nodiscard]] bool authorised(const std::string& query, const std::string& authorization) const;

  EventLoop& loop_;
  HttpServerOptions options_;
  int listen_fd_;
  std::string bound_;
  std::map<std::string, Handler> routes_;
  std::map<std::string, std::function<std::string()>> streams_;
  std::optional<TimerId> heartbeat_;
  std::map<int, std::unique_ptr<Connection>> connections_;
  HttpServerCounters counters_;
};

}  // namespace blackout
