// The read-only HTTP server.
#include "serve/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

#include "model/address.hpp"
#include "util/strings.hpp"

namespace blackout {

struct HttpServer::Connection {
  int fd = -1;
  std::string in, out;
  std::size_t sent = 0;
  TimerId deadline{};
  bool responding = false;
  bool streaming = false;  // a Server-Sent Events client: stays open after its headers
};

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

struct ListenAddress {
  IpAddress ip;
  std::uint16_t port = 0;
};

Expected<ListenAddress> parse_listen(const std::string& text) {
  std::string host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return make_error("expected [v6-address]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return make_error("expected address:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto ip = IpAddress::parse(host);
  if (!ip) return make_error("'" + host + "' is not an IP address");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return make_error("'" + port + "' is not a port");
  return ListenAddress{*ip, static_cast<std::uint16_t>(value)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpResponse plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

}  // namespace

std::string query_parameter(const std::string& query, const std::string& name) {
  for (std::size_t at = 0; at <= query.size();) {
    const auto next = std::min(query.find('&', at), query.size());
    const std::string pair = query.substr(at, next - at);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      const std::string raw = equals == std::string::npos ? "" : pair.substr(equals + 1);
      std::string value;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
          value += ' ';
        } else if (raw[i] == '%' && i + 2 < raw.size() + 0 && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
          value += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
          i += 2;
        } else {
          value += raw[i];
        }
      }
      return value;
    }
    at = next + 1;
  }
  return {};
}

Expected<std::string> read_bearer_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot read a token from it");
  std::string token;
  std::getline(in, token);
  // Spaces and a Windows line end around the token are not part of it; a token of nothing
  // but them would make a server anyone passes with an empty header.
  const auto first = token.find_first_not_of(" \t\r\v\f");
  if (first == std::string::npos) return make_error(path + ": the first line holds no token (it is empty or only whitespace)");
  token = token.substr(first, token.find_last_not_of(" \t\r\v\f") - first + 1);
  return token;
}

bool same_secret(std::string_view offered, std::string_view secret) {
  // Every byte of the secret is compared whatever differs, so the time taken does not say
  // how much of a guess was right; it depends on the secret's length alone.
  unsigned difference = offered.size() == secret.size() ? 0u : 1u;
  for (std::size_t i = 0; i < secret.size(); ++i)
    difference |= static_cast<unsigned>(static_cast<unsigned char>(i < offered.size() ? offered[i] : 0) ^
                                        static_cast<unsigned char>(secret[i]));
  return difference == 0;
}

bool host_allowed(std::string_view host, const std::vector<std::string>& names) {
  // An address is never a rebinding: the attacker's page needs a name of its own to
  // resolve to us, and that name is what its browser puts in Host.
  std::string name(host);
  if (!name.empty() && name.front() == '[') {
    const auto close = name.find(']');
    if (close == std::string::npos) return false;
    return IpAddress::parse(name.substr(1, close - 1)).has_value();
  }
  if (const auto colon = name.rfind(':'); colon != std::string::npos) name.erase(colon);
  if (IpAddress::parse(name)) return true;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!name.empty() && name.back() == '.') name.pop_back();
  // localhost and *.localhost never leave the machine (RFC 6761 6.3).
  if (name == "localhost" || (name.size() > 10 && name.ends_with(".localhost"))) return true;
  return std::any_of(names.begin(), names.end(), [&](const std::string& allowed) {
    std::string normal = allowed;
    for (char& c : normal) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!normal.empty() && normal.back() == '.') normal.pop_back();
    return normal == name;
  });
}

Expected<std::unique_ptr<HttpServer>> HttpServer::start(EventLoop& loop, HttpServerOptions options) {
  const auto where = parse_listen(options.listen);
  if (!where) return make_error("listen address " + options.listen + ": " + where.error().message);
  if (options.bearer_token.empty() && !where->ip.is_loopback())
    return make_error("listen address " + options.listen + " is off loopback: give --token-file so that not anyone can read it");
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (where->ip.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(where->port);
    std::memcpy(&sin->sin_addr, where->ip.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(where->port);
    std::memcpy(&sin6->sin6_addr, where->ip.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error("listen address " + options.listen + ": socket: " + errno_text(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, 64) != 0) {
    const std::string why = errno_text(errno);
    ::close(fd);
    return make_error("listen address " + options.listen + ": " + why);
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  const std::uint16_t port = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                                              : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  const std::string text = where->ip.is_v4() ? where->ip.to_string() + ":" + std::to_string(port)
                                             : "[" + where->ip.to_string() + "]:" + std::to_string(port);
  std::unique_ptr<HttpServer> server(new HttpServer(loop, std::move(options), fd, text));
  if (!loop.watch(fd, io_readable, [raw = server.get()](std::uint32_t) { raw->accept_all(); }))
    return make_error("listen address " + text + ": the event loop refused the socket");
  return server;
}

HttpServer::HttpServer(EventLoop& loop, HttpServerOptions options, int fd, std::string bound)
    : loop_(loop), options_(std::move(options)), listen_fd_(fd), bound_(std::move(bound)) {}

HttpServer::~HttpServer() {
  if (heartbeat_) loop_.cancel(*heartbeat_);
  while (!connections_.empty()) close(connections_.begin()->first);
  loop_.unwatch(listen_fd_);
  ::close(listen_fd_);
}

void HttpServer::accept_all() {
  while (true) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a client that gave up: nothing to do either way
    if (connections_.size() >= options_.max_connections) {
      // Over the cap: say so in one write and let go; never queue unbounded clients.
      ++counters_.rejected;
      const std::string busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->deadline = loop_.after(options_.request_timeout, [this, fd] {
      const auto it = connections_.find(fd);
      if (it == connections_.end()) return;
      ++counters_.rejected;
      if (it->second->responding) {
        close(fd);  // a client that does not read its answer
      } else {
        respond(*it->second, plain(408, "request not received in time"), false);
      }
    });
    connections_.emplace(fd, std::move(connection));
    loop_.watch(fd, io_readable, [this, fd](std::uint32_t events) {
      const auto found = connections_.find(fd);
      if (found == connections_.end()) return;
      if (!found->second->responding) {
        on_readable(fd);
      } else if (events & (io_error | io_hangup)) {
        close(fd);  // gone before it read the answer
      } else if (found->second->streaming && (events & io_readable)) {
        // A stream client sends nothing more; end of file (or anything) means it left.
        char discard[512];
        const ssize_t n = ::recv(fd, discard, sizeof discard, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) close(fd);
        else if (events & io_writable) on_writable(fd);
      } else {
        on_writable(fd);
      }
    });
  }
}

void HttpServer::on_readable(int fd) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.responding) return;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      close(fd);
      return;
    }
    if (n < 0) break;
    c.in.append(buffer, static_cast<std::size_t>(n));
    if (c.in.size() > options_.max_request_bytes) {
      ++counters_.rejected;
      respond(c, plain(431, "request larger than " + std::to_string(options_.max_request_bytes) + " bytes"), false);
      return;
    }
  }
  const auto end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) return;  // not all there yet
  // Request line: METHOD SP TARGET SP HTTP/x.y
  const auto line_end = c.in.find("\r\n");
  const std::string line = c.in.substr(0, line_end);
  const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
    ++counters_.rejected;
    respond(c, plain(400, "malformed request line"), false);
    return;
  }
  const std::string method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string authorization;
  std::optional<std::string> host;
  for (std::size_t at = line_end + 2; at < end;) {
    const auto next = c.in.find("\r\n", at);
    const std::string header = c.in.substr(at, next - at);
    const auto colon = header.find(':');
    if (colon != std::string::npos) {
      std::string name = header.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      if (name == "authorization") authorization = value;
      else if (name == "host") host = value;
    }
    at = next + 2;
  }
  ++counters_.requests;
  // DNS rebinding: a page of the attacker's, its name made to resolve to 127.0.0.1, would
  // read a token-less loopback API from the victim's browser. Its requests carry that name.
  if (host && !host_allowed(*host, options_.allowed_hosts)) {
    ++counters_.rejected;
    respond(c, plain(403, "Host " + *host + " is not a name of this server; give it with --allow-host"), method == "HEAD");
    return;
  }
  const std::string path = target.substr(0, target.find('?'));
  const std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  if (method == "GET" && streams_.count(path) && authorised(query, authorization)) {
    open_stream(c, path);
    return;
  }
  respond(c, handle(method, target, authorization), method == "HEAD");
}

bool HttpServer::authorised(const std::string& query, const std::string& authorization) const {
  if (options_.bearer_token.empty()) return true;
  // RFC 6750 2.3: the token may also come as access_token in the query, for what a browser
  // cannot give headers to (EventSource).
  // The scheme's name is case-insensitive (RFC 7235 2.1): "bearer" is as good as "Bearer".
  const auto space = authorization.find(' ');
  std::string scheme = authorization.substr(0, space);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view offered;
  if (scheme == "bearer" && space != std::string::npos) {
    offered = std::string_view(authorization).substr(space);
    offered.remove_prefix(std::min(offered.size(), offered.find_first_not_of(' ')));
  }
  const bool by_header = scheme == "bearer" && same_secret(offered, options_.bearer_token);
  const bool by_query = same_secret(query_parameter(query, "access_token"), options_.bearer_token);
  return by_header || by_query;
}

void HttpServer::stream(const std::string& path, std::function<std::string()> greeting) {
  streams_[path] = std::move(greeting);
  if (!heartbeat_) heartbeat_ = loop_.after(options_.stream_heartbeat, [this] { heartbeat(); });
}

std::size_t HttpServer::stream_clients() const {
  std::size_t n = 0;
  for (const auto& [fd, c] : connections_) n += c->streaming ? 1 : 0;
  return n;
}

void HttpServer::open_stream(Connection& c, const std::string& path) {
  if (stream_clients() >= options_.max_stream_clients) {
    ++counters_.rejected;
    respond(c, plain(503, "too many stream clients"), false);
    return;
  }
  loop_.cancel(c.deadline);  // a stream lives as long as its client reads
  c.responding = true;
  c.streaming = true;
  std::string headers =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  headers += "retry: 2000\n\n";
  const auto& greeting = streams_[path];
  if (greeting) headers += greeting();
  push(c, headers);
}

void HttpServer::push(Connection& c, const std::string& bytes) {
  if (c.out.size() - c.sent + bytes.size() > options_.max_stream_backlog) {
    ++counters_.stream_dropped;
    close(c.fd);  // it does not read: let go rather than hold its backlog
    return;
  }
  c.out.erase(0, c.sent);
  c.sent = 0;
  c.out += bytes;
  loop_.modify(c.fd, io_writable);
  on_writable(c.fd);
}

void HttpServer::broadcast(const std::string& event, const std::string& data) {
  const std::string message = "event: " + event + "\ndata: " + data + "\n\n";
  std::vector<int> clients;
  for (const auto& [fd, c] : connections_)
    if (c->streaming) clients.push_back(fd);
  for (const int fd : clients) {
    const auto it = connections_.find(fd);
    if (it != connections_.end()) push(*it->second, message);
  }
}

void HttpServer::heartbeat() {
  std::vector<int> clients;
  for (const auto& [fd, c] : connections_)
    if (c->streaming) clients.push_back(fd);
  for (const int fd : clients) {
    const auto it = connections_.find(fd);
    if (it != connections_.end()) push(*it->second, ": heartbeat\n\n");
  }
  heartbeat_ = loop_.after(options_.stream_heartbeat, [this] { heartbeat(); });
}

HttpResponse HttpServer::handle(const std::string& method, const std::string& target, const std::string& authorization) {
  const std::string path = target.substr(0, target.find('?'));
  const std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  if (!authorised(query, authorization)) {
    ++counters_.rejected;
    return plain(401, "a bearer token is required");
  }
  if (method != "GET" && method != "HEAD") return plain(405, "read-only: GET and HEAD only");
  const auto route = routes_.find(path);
  if (route == routes_.end()) return plain(404, "no such path: " + path);
  return route->second(HttpRequest{path, query});
}

void HttpServer::respond(Connection& c, const HttpResponse& response, bool head_only) {
  c.responding = true;
  c.out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) +
          "\r\nContent-Type: " + response.content_type + "\r\nContent-Length: " + std::to_string(response.body.size()) +
          "\r\nCache-Control: no-store\r\nConnection: close\r\n";
  if (response.status == 401) c.out += "WWW-Authenticate: Bearer\r\n";
  c.out += "\r\n";
  if (!head_only) c.out += response.body;
  c.sent = 0;
  loop_.modify(c.fd, io_writable);
  on_writable(c.fd);
}

void HttpServer::on_writable(int fd) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  while (c.sent < c.out.size()) {
    const ssize_t n = ::send(fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the rest when it drains
    if (n <= 0) break;
    c.sent += static_cast<std::size_t>(n);
  }
  if (c.streaming && c.sent == c.out.size()) {
    // Drained: wait for more to push; watching for readable tells when the client leaves.
    c.out.clear();
    c.sent = 0;
    loop_.modify(fd, io_readable);
    return;
  }
  close(fd);
}

void HttpServer::close(int fd) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  loop_.cancel(it->second->deadline);
  loop_.unwatch(fd);
  ::close(fd);
  connections_.erase(it);
}

void HttpServer::register_stats(Stats& stats) const {
  stats.counter("blackout_http_requests_total", "Requests this endpoint answered.",
                [this] { return static_cast<double>(counters_.requests); });
  stats.counter("blackout_http_rejected_total",
                "Requests refused: malformed, too large, too slow, unauthorised or over the connection cap.",
                [this] { return static_cast<double>(counters_.rejected); });
}

}  // namespace blackout
