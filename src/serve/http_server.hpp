// A small, read-only HTTP/1.1 server on the monitor's event loop: GET and HEAD only, one
// request per connection, bounded in everything a client controls (request size, time to
// send it, connections at once), so that a hostile or broken client costs little and can
// never stall probing. Handlers are plain functions from a path to a response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/loop.hpp"
#include "util/expected.hpp"

namespace blackout {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:9813";  // address:port ([v6]:port for IPv6); port 0 picks one
  // Required (as "Authorization: Bearer TOKEN") on every request when not empty. The
  // monitor refuses a listen address off loopback without one.
  std::string bearer_token;
  std::size_t max_request_bytes = 8192;
  Duration request_timeout = std::chrono::seconds(10);
  std::size_t max_connections = 64;
};

struct HttpServerCounters {
  std::uint64_t requests = 0;
  std::uint64_t rejected = 0;  // malformed, too large, too slow, unauthorised, over the cap
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse()>;

  // Binds and listens; an error names the address and why (in use, not an address, ...).
  static Expected<std::unique_ptr<HttpServer>> start(EventLoop& loop, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact paths (the query string is ignored).
  void route(const std::string& path, Handler handler) { routes_[path] = std::move(handler); }
  // The address actually bound, "127.0.0.1:40123".
  [[nodiscard]] const std::string& address() const { return bound_; }
  [[nodiscard]] const HttpServerCounters& counters() const { return counters_; }

 private:
  struct Connection;
  HttpServer(EventLoop& loop, HttpServerOptions options, int fd, std::string bound);
  void accept_all();
  void on_readable(int fd);
  void on_writable(int fd);
  void respond(Connection& connection, const HttpResponse& response, bool head_only);
  void close(int fd);
  HttpResponse handle(const std::string& method, const std::string& target, const std::string& authorization);

  EventLoop& loop_;
  HttpServerOptions options_;
  int listen_fd_;
  std::string bound_;
  std::map<std::string, Handler> routes_;
  std::map<int, std::unique_ptr<Connection>> connections_;
  HttpServerCounters counters_;
};

}  // namespace blackout
