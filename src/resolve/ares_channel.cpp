// c-ares on the event loop.
#include "resolve/ares_channel.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <stdexcept>

namespace blackout {
namespace {

struct AresLibrary {
  AresLibrary() {
    if (const int status = ares_library_init(ARES_LIB_INIT_ALL); status != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares: cannot initialise the library: ") + ares_strerror(status));
  }
  ~AresLibrary() { ares_library_cleanup(); }
};

struct Pending {
  AresChannel::Callback callback;
  std::weak_ptr<AresChannel*> channel;
  EventLoop* loop;
};

}  // namespace

AresChannel::AresChannel(EventLoop& loop, const ResolverConfig& config)
    : loop_(loop), self_(std::make_shared<AresChannel*>(this)) {
  static AresLibrary library;
  ares_options options{};
  options.sock_state_cb = &AresChannel::on_socket_state;
  options.sock_state_cb_data = this;
  options.timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(config.timeout).count());
  options.tries = config.tries;
  // SERVFAIL and REFUSED answers come back as such. Without this flag c-ares 1.18 moves on
  // to the next server and, when none is left, reports them as ARES_ECONNREFUSED: a server
  // that refuses would look like one that is not there. A monitor wants the answer it got.
  options.flags = ARES_FLAG_NOCHECKRESP;
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  if (const int status = ares_init_options(&channel_, &options, mask); status != ARES_SUCCESS)
    throw std::runtime_error(std::string("c-ares: cannot start a resolver: ") + ares_strerror(status));
  if (!config.servers.empty()) {
    std::vector<ares_addr_port_node> nodes(config.servers.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const ResolverServer& server = config.servers[i];
      ares_addr_port_node& node = nodes[i];
      node.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
      node.family = server.address.is_v4() ? AF_INET : AF_INET6;
      if (server.address.is_v4()) std::memcpy(&node.addr.addr4, server.address.bytes.data(), 4);
      else std::memcpy(&node.addr.addr6, server.address.bytes.data(), 16);
      node.udp_port = server.port;
      node.tcp_port = server.port;
    }
    if (const int status = ares_set_servers_ports(channel_, nodes.data()); status != ARES_SUCCESS) {
      ares_destroy(channel_);
      throw std::runtime_error(std::string("c-ares: cannot use the configured resolver servers: ") + ares_strerror(status));
    }
  }
}

AresChannel::~AresChannel() {
  *self_ = nullptr;
  if (timer_) loop_.cancel(*timer_);
  // Ends every query in flight with ARES_EDESTRUCTION (on_answer drops those) and closes
  // the sockets, which unwatches them.
  ares_destroy(channel_);
}

std::string AresChannel::servers() const {
  ares_addr_port_node* list = nullptr;
  if (ares_get_servers_ports(channel_, &list) != ARES_SUCCESS) return "?";
  std::string out;
  for (const ares_addr_port_node* node = list; node; node = node->next) {
    char text[INET6_ADDRSTRLEN] = {};
    ares_inet_ntop(node->family, &node->addr, text, sizeof text);
    if (!out.empty()) out += " ";
    out += node->family == AF_INET6 ? "[" + std::string(text) + "]" : std::string(text);
    out += ":" + std::to_string(node->udp_port ? node->udp_port : 53);
  }
  ares_free_data(list);
  return out;
}

void AresChannel::query(const std::string& name, int type, Callback callback) {
  ++in_flight_;
  auto* pending = new Pending{std::move(callback), self_, &loop_};
  ares_query(channel_, name.c_str(), 1 /* IN */, type, &AresChannel::on_answer, pending);
  arm_timer();
}

void AresChannel::on_answer(void* arg, int status, int, unsigned char* answer, int length) {
  std::shared_ptr<Pending> pending(static_cast<Pending*>(arg));
  if (status == ARES_EDESTRUCTION) return;
  std::vector<unsigned char> bytes;
  if (answer && length > 0) bytes.assign(answer, answer + length);
  // Posted: c-ares may call back from inside ares_query(), and the caller must not be
  // re-entered from its own call.
  auto* loop = pending->loop;  // read before the lambda takes `pending` over
  loop->post([pending = std::move(pending), status, bytes = std::move(bytes)] {
    const auto channel = pending->channel.lock();
    if (!channel || !*channel) return;
    --(*channel)->in_flight_;
    pending->callback(status, bytes);
  });
}

void AresChannel::on_socket_state(void* self, ares_socket_t fd, int readable, int writable) {
  auto* channel = static_cast<AresChannel*>(self);
  if (!readable && !writable) {
    channel->loop_.unwatch(fd);
    return;
  }
  std::uint32_t events = 0;
  if (readable) events |= io_readable;
  if (writable) events |= io_writable;
  channel->loop_.watch(fd, events, [channel, fd](std::uint32_t ready) {
    // An error (an ICMP port unreachable on a UDP socket) is read, so that c-ares sees it.
    const bool read = (ready & (io_readable | io_error | io_hangup)) != 0;
    const bool write = (ready & io_writable) != 0;
    channel->process(read ? fd : ARES_SOCKET_BAD, write ? fd : ARES_SOCKET_BAD);
  });
}

void AresChannel::process(ares_socket_t read_fd, ares_socket_t write_fd) {
  ares_process_fd(channel_, read_fd, write_fd);
  arm_timer();
}

void AresChannel::arm_timer() {
  if (timer_) loop_.cancel(*timer_);
  timer_.reset();
  timeval tv{};
  // c-ares keeps its own (real) time for retries and timeouts; the loop only has to wake
  // it when it says. With a manual clock, an early wake-up finds nothing due and re-arms.
  if (!ares_timeout(channel_, nullptr, &tv)) return;
  const Duration wait = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  timer_ = loop_.after(wait, [this] {
    timer_.reset();
    process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  });
}

}  // namespace blackout
