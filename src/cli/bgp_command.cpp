// blackout bgp read: MRT files in, bgpdump -m lines or a summary out, or (--config, --store)
// the config's bgp checks answered over the archive's time and stored. blackout bgp watch: a
// live collector session, one line per announcement, withdrawal and session change as it
// happens, in the same layout. src/bgp does the work.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/archive_feed.hpp"
#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_merge.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_summary.hpp"
#include "bgp/session.hpp"
#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "config/values.hpp"
#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/signals.hpp"
#include "model/time.hpp"
#include "report/event_text.hpp"
#include "store/store.hpp"

namespace blackout::cli {
namespace {

struct BgpReadOptions {
  std::vector<std::string> files;
  std::string format = "lines";
  std::vector<std::string> prefixes;
  std::string match = "exact";
  std::string config;
  std::string store;
  std::string vantage = "mrt-archive";
};

// Errors past this many per file are counted, not printed: a damaged archive should not
// bury the terminal.
constexpr std::uint64_t errors_printed_per_file = 20;

bool flush(std::string& buffer) {
  const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), stdout) == buffer.size();
  buffer.clear();
  return ok;
}

// --config and --store: the files merged in time order, the config's bgp checks answered at
// their intervals in the archive's time, stored, and detected on at once.
int run_bgp_read_into_store(const BgpReadOptions& o) {
  const char* const me = "blackout bgp read";
  if (o.config.empty()) {
    std::fprintf(stderr, "%s: --store needs --config: the bgp targets whose checks the archive answers\n", me);
    return exit_usage;
  }
  auto config = load_config_file(o.config);
  if (!config) throw ConfigLoadError(config.error());
  std::vector<std::filesystem::path> files(o.files.begin(), o.files.end());
  auto merge = bgp::MrtMerge::open(files);
  if (!merge) {
    std::fprintf(stderr, "%s: %s\n", me, merge.error().message.c_str());
    return exit_failure;
  }
  bgp::ArchiveFeed feed(config->targets, o.vantage);
  if (feed.checks() == 0) {
    std::fprintf(stderr, "%s: %s has no bgp checks to answer\n", me, o.config.c_str());
    return exit_failure;
  }
  auto store = open_store(o.store);
  if (!store) {
    std::fprintf(stderr, "%s: store %s: %s\n", me, o.store.c_str(), store.error().message.c_str());
    return exit_failure;
  }
  if (auto written = (*store)->write_config(*config, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
      !written) {
    std::fprintf(stderr, "%s: store %s: %s\n", me, o.store.c_str(), written.error().message.c_str());
    return exit_failure;
  }
  Detector detector(config->targets, config->detection);
  EventLog told;
  std::vector<Result> batch;
  std::uint64_t stored = 0, errors = 0;
  std::map<std::string, std::map<Outcome, std::uint64_t>> outcomes;  // per "target check"
  // Results reach the store in batches; what was stored before a failure stays stored.
  const auto write = [&]() -> bool {
    for (const Result& r : batch) {
      detector.add(r);
      ++outcomes[r.target + " " + r.check][r.outcome];
    }
    detector.take_new_state_changes();
    told.take_from(detector);
    if (auto done = (*store)->write_results(batch); !done) {
      std::fprintf(stderr, "%s: store %s: %s (%llu results stored before)\n", me, o.store.c_str(), done.error().message.c_str(),
                   static_cast<unsigned long long>(stored));
      return false;
    }
    stored += batch.size();
    batch.clear();
    return true;
  };
  for (;;) {
    auto next = merge->next();
    if (!next) {
      if (++errors <= errors_printed_per_file)
        std::fprintf(stderr, "%s: %s: %s\n", me, files[next.error().file].c_str(), next.error().error.describe().c_str());
      continue;
    }
    if (!*next) break;
    feed.add((*next)->record, batch);
    if (batch.size() >= 10'000 && !write()) return exit_failure;
  }
  feed.finish(batch);
  if (!write()) return exit_failure;
  const bgp::ArchiveCounters& c = feed.counters();
  if (feed.first_time())
    std::printf(
        "%llu records from %zu files, %s to %s: %llu RIB entries in %llu dumps, %llu announcements, %llu withdrawals, "
        "%llu session changes (%llu sessions lost)\n",
        static_cast<unsigned long long>(c.records), files.size(), format_rfc3339(*feed.first_time()).c_str(),
        format_rfc3339(*feed.last_time()).c_str(), static_cast<unsigned long long>(c.rib_entries),
        static_cast<unsigned long long>(c.dumps), static_cast<unsigned long long>(c.announcements),
        static_cast<unsigned long long>(c.withdrawals), static_cast<unsigned long long>(c.state_changes),
        static_cast<unsigned long long>(c.sessions_lost));
  if (c.out_of_order > 0)
    std::fprintf(stderr, "%s: %llu records older than ones already read: applied to the table, answered for no earlier time\n",
                 me, static_cast<unsigned long long>(c.out_of_order));
  if (c.gaps > 0)
    std::fprintf(stderr, "%s: %llu gaps of over 6 hours between records: nothing answered for them\n", me,
                 static_cast<unsigned long long>(c.gaps));
  std::printf("%llu results of %zu bgp checks stored in %s as vantage %s:\n", static_cast<unsigned long long>(stored),
              feed.checks(), (*store)->describe().c_str(), o.vantage.c_str());
  for (const auto& [check, counts] : outcomes) {
    std::string line = "  " + check + ":";
    for (const auto& [outcome, n] : counts) line += " " + std::string(to_string(outcome)) + " " + std::to_string(n);
    std::printf("%s\n", line.c_str());
  }
  detector.finish();
  told.take_from(detector);
  std::printf("\n%s", events_to_text(told.events(), told.waves()).c_str());
  if (errors > errors_printed_per_file)
    std::fprintf(stderr, "%s: %llu more errors not shown\n", me,
                 static_cast<unsigned long long>(errors - errors_printed_per_file));
  return errors == 0 ? exit_ok : exit_failure;
}

int run_bgp_read(const BgpReadOptions& o) {
  if (!o.store.empty()) return run_bgp_read_into_store(o);
  if (!o.config.empty()) {
    std::fprintf(stderr, "blackout bgp read: --config goes with --store (use --prefix to print lines of some prefixes)\n");
    return exit_usage;
  }
  bgp::PrefixFilter filter;
  for (const std::string& text : o.prefixes) {
    const auto prefix = Prefix::parse(text, true);
    if (!prefix) {
      std::fprintf(stderr, "blackout bgp read: --prefix %s is not a prefix (like 175.45.176.0/22 or 2001:db8::/32)\n",
                   text.c_str());
      return exit_failure;
    }
    filter.prefixes.push_back(bgp::NlriPrefix{prefix->address, prefix->length, 0}.prefix());
  }
  filter.match = o.match == "more-specific" ? bgp::PrefixMatch::more_specific
                 : o.match == "covering"    ? bgp::PrefixMatch::covering
                                            : bgp::PrefixMatch::exact;
  const bool lines = o.format == "lines";

  bgp::MrtSummary summary;
  std::string buffer;
  std::uint64_t records = 0, line_count = 0, errors = 0;
  bool write_failed = false;
  for (const std::string& file : o.files) {
    auto reader = bgp::MrtReader::open(file);
    if (!reader) {
      std::fprintf(stderr, "blackout bgp read: %s: %s\n", file.c_str(), reader.error().message.c_str());
      ++errors;
      continue;
    }
    std::uint64_t file_errors = 0;
    for (;;) {
      auto record = reader->next();
      if (!record) {
        if (++file_errors <= errors_printed_per_file)
          std::fprintf(stderr, "blackout bgp read: %s: %s\n", file.c_str(), record.error().describe().c_str());
        continue;
      }
      if (!*record) break;
      ++records;
      if (lines) {
        line_count += bgp::append_bgpdump_lines(**record, filter, buffer);
        if (buffer.size() >= (1U << 20) && !flush(buffer)) write_failed = true;
      } else {
        summary.add(**record, filter);
      }
      if (write_failed) break;
    }
    if (file_errors > errors_printed_per_file)
      std::fprintf(stderr, "blackout bgp read: %s: %llu more errors not shown\n", file.c_str(),
                   static_cast<unsigned long long>(file_errors - errors_printed_per_file));
    errors += file_errors;
    summary.add_reader(reader->stats(), reader->offset());
    if (write_failed) break;
  }
  if (lines) {
    if (!flush(buffer)) write_failed = true;
  } else {
    buffer = summary.text();
    if (!flush(buffer)) write_failed = true;
  }
  if (std::fflush(stdout) != 0) write_failed = true;
  if (write_failed) {
    std::fprintf(stderr, "blackout bgp read: writing the output failed\n");
    return exit_failure;
  }
  if (lines)
    std::fprintf(stderr, "read %llu records from %zu files: %llu lines, %llu errors\n", static_cast<unsigned long long>(records),
                 o.files.size(), static_cast<unsigned long long>(line_count), static_cast<unsigned long long>(errors));
  return errors == 0 ? exit_ok : exit_failure;
}

struct BgpWatchOptions {
  std::string peer;
  std::uint32_t peer_as = 0;
  std::uint32_t local_as = 0;
  std::string local;
  std::string router_id;
  bool passive = false;
  std::vector<std::string> prefixes;
  std::string match = "exact";
  std::string duration;
  int hold_time = 90;
};

std::uint32_t wall_seconds(const Clock& clock) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count());
}

// A route event as the one-prefix UPDATE bgpdump would print for it, so that the A and W
// lines are bgp read's, field for field.
std::size_t append_route_line(const bgp::RouteEvent& route, const bgp::BgpSession& session, std::uint32_t time,
                              const bgp::PrefixFilter& filter, std::string& out) {
  bgp::BgpMessage message;
  message.session = session;
  message.as4 = true;
  message.type = bgp::bgp_message_type::update;
  bgp::UpdateMessage& update = message.update.emplace();
  const bool v4 = route.prefix.address.is_v4();
  if (route.withdrawn) {
    if (v4) {
      update.withdrawn.push_back(route.prefix);
    } else {
      update.attributes.mp_unreach = bgp::MpUnreach{bgp::afi_ipv6, 1, true, {route.prefix}};
      update.attributes.present |= std::uint64_t{1} << (bgp::attribute::mp_unreach_nlri - 1);
    }
  } else {
    update.attributes = *route.attributes;
    if (v4) {
      update.announced.push_back(route.prefix);
    } else if (update.attributes.mp_reach) {
      update.attributes.mp_reach->prefixes = {route.prefix};
    }
  }
  bgp::MrtHeader header;
  header.timestamp = time;
  header.type = bgp::mrt_type::bgp4mp;
  header.subtype = bgp::bgp4mp_subtype::message_as4;
  return bgp::append_bgpdump_lines(bgp::MrtRecord{header, message}, filter, out);
}

int run_bgp_watch(const BgpWatchOptions& o) {
  const char* const me = "blackout bgp watch";
  bgp::SessionConfig config;
  const auto peer = parse_endpoint(o.peer, 179);
  if (!peer) {
    std::fprintf(stderr, "%s: --peer: %s\n", me, peer.error().message.c_str());
    return exit_failure;
  }
  config.peer_address = peer->address;
  config.peer_port = peer->port;
  config.passive = o.passive;
  config.local_port = o.passive ? 179 : 0;
  if (config.peer_address.is_v4()) {
    config.local_address = IpAddress{};
  } else {
    config.local_address = *IpAddress::parse("::");
  }
  if (!o.local.empty()) {
    const auto local = parse_endpoint(o.local, config.local_port);
    if (!local) {
      std::fprintf(stderr, "%s: --local: %s\n", me, local.error().message.c_str());
      return exit_failure;
    }
    config.local_address = local->address;
    config.local_port = local->port;
  }
  if (config.local_address.is_v4() != config.peer_address.is_v4()) {
    std::fprintf(stderr, "%s: --local and --peer are not of the same address family\n", me);
    return exit_failure;
  }
  if (!o.router_id.empty()) {
    const auto id = IpAddress::parse(o.router_id);
    if (!id || !id->is_v4() || id->v4_host_order() == 0) {
      std::fprintf(stderr, "%s: --router-id %s is not a non-zero IPv4 address\n", me, o.router_id.c_str());
      return exit_failure;
    }
    config.router_id = *id;
  }
  if (o.hold_time != 0 && (o.hold_time < 3 || o.hold_time > 65535)) {
    std::fprintf(stderr, "%s: --hold-time must be 0 or 3-65535 seconds\n", me);
    return exit_failure;
  }
  config.hold_time = static_cast<std::uint16_t>(o.hold_time);
  config.peer_as = o.peer_as;
  config.local_as = o.local_as;
  std::optional<Duration> duration;
  if (!o.duration.empty()) {
    auto parsed = parse_duration(o.duration);
    if (!parsed) {
      std::fprintf(stderr, "%s: --duration %s: %s\n", me, o.duration.c_str(), parsed.error().message.c_str());
      return exit_failure;
    }
    duration = *parsed;
  }
  bgp::PrefixFilter filter;
  for (const std::string& text : o.prefixes) {
    const auto prefix = Prefix::parse(text, true);
    if (!prefix) {
      std::fprintf(stderr, "%s: --prefix %s is not a prefix (like 175.45.176.0/22 or 2001:db8::/32)\n", me, text.c_str());
      return exit_failure;
    }
    filter.prefixes.push_back(bgp::NlriPrefix{prefix->address, prefix->length, 0}.prefix());
  }
  filter.match = o.match == "more-specific" ? bgp::PrefixMatch::more_specific
                 : o.match == "covering"    ? bgp::PrefixMatch::covering
                                            : bgp::PrefixMatch::exact;

  block_signals({SIGINT, SIGTERM});
  SystemClock clock;
  EventLoop loop(clock);
  bgp::Rib rib;
  bgp::BgpSession session_info;
  session_info.peer_address = config.peer_address;
  session_info.peer_as = config.peer_as;
  session_info.local_as = config.local_as;
  session_info.afi = config.peer_address.is_v4() ? bgp::afi_ipv4 : bgp::afi_ipv6;
  bool write_failed = false;
  std::string line;
  auto emit = [&] {
    if (line.empty()) return;
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0) {
      write_failed = true;  // the reader went away (| head): stop
      loop.stop();
    }
    line.clear();
  };
  bgp::Session::Handlers handlers;
  handlers.on_route = [&](const bgp::RouteEvent& route) {
    append_route_line(route, session_info, wall_seconds(clock), filter, line);
    emit();
  };
  bgp::Session* session_pointer = nullptr;
  handlers.on_state = [&](const bgp::SessionChange& change) {
    // The peer's AS as it said it, once it did (with --peer-as 0 there is nothing else).
    if (session_pointer != nullptr && session_pointer->peer_open()) session_info.peer_as = session_pointer->peer_open()->asn();
    line += "BGP4MP|" + std::to_string(wall_seconds(clock)) + "|STATE|";
    bgp::append_bgpdump_address(line, config.peer_address);
    line += "|" + std::to_string(session_info.peer_as) + "|" + std::to_string(static_cast<int>(change.from)) + "|" +
            std::to_string(static_cast<int>(change.to)) + "|" +
            (change.reason == bgp::DownReason::none ? "" : bgp::to_string(change.reason)) + "|";
    for (char c : change.detail) line += (c == '\n' || c == '|') ? ' ' : c;  // the detail may quote the peer
    line += "\n";
    emit();
  };
  bgp::Session session(loop, config, rib, handlers);
  session_pointer = &session;
  auto started = session.start();
  if (!started) {
    std::fprintf(stderr, "%s: %s\n", me, started.error().message.c_str());
    return exit_failure;
  }
  SignalWatcher signals(loop, {SIGINT, SIGTERM}, [&](int) { loop.stop(); });
  const MonoTime deadline = duration ? clock.now() + *duration : MonoTime::max();
  loop.run_until([] { return false; }, deadline);
  session.stop();
  if (write_failed) return exit_failure;
  std::fprintf(stderr,
               "%s: %zu prefixes, %zu paths in the table at the end; %llu connections, %llu sessions established, %llu malformed "
               "messages\n",
               me, rib.prefix_count(), rib.path_count(), static_cast<unsigned long long>(session.counters().connections),
               static_cast<unsigned long long>(session.counters().established),
               static_cast<unsigned long long>(session.counters().malformed));
  return exit_ok;
}

}  // namespace

Runner add_bgp_command(CLI::App& app) {
  auto* command = app.add_subcommand("bgp", "Read MRT files (BGP archives from route collectors) or watch a live BGP session");
  command->require_subcommand(1);
  auto* read = command->add_subcommand(
      "read", "Read MRT files (plain, gzip or bzip2) and print their prefix records as bgpdump -m does, or a summary");
  auto o = std::make_shared<BgpReadOptions>();
  read->add_option("files", o->files, "MRT files: TABLE_DUMP, TABLE_DUMP_V2 RIB dumps, BGP4MP/BGP4MP_ET updates")->required();
  read->add_option("--format", o->format, "lines (one line per prefix record, the layout of bgpdump -m) or summary (counts)")
      ->check(CLI::IsMember({"lines", "summary"}))
      ->capture_default_str();
  read->add_option("--prefix", o->prefixes, "Only records for this prefix (repeatable)");
  read->add_option(
      "--config", o->config,
      "With --store: the config whose bgp checks the archive answers, at each check's interval in the archive's time");
  read->add_option("--store", o->store,
                   "Store the answers (sqlite:PATH or postgresql://...) for blackout analyze and report; needs --config");
  read->add_option("--vantage", o->vantage, "With --store: the vantage name of the stored results")->capture_default_str();
  read->add_option(
          "--match", o->match,
          "How --prefix matches: exact, more-specific (the prefix or inside it) or covering (the prefix or containing it)")
      ->check(CLI::IsMember({"exact", "more-specific", "covering"}))
      ->capture_default_str();
  auto* watch = command->add_subcommand("watch",
                                        "Open (or accept) a BGP session with one peer, announce nothing, and print every "
                                        "announcement, withdrawal and session change as it happens");
  auto w = std::make_shared<BgpWatchOptions>();
  watch->add_option("--peer", w->peer, "The peer: ADDRESS[:PORT] (port 179 by default; [IPv6]:PORT)")->required();
  watch->add_option("--peer-as", w->peer_as, "The peer's AS; its OPEN must say the same (0: accept any)")->required();
  watch->add_option("--local-as", w->local_as, "blackout's own AS in the session")->required();
  watch->add_option("--router-id", w->router_id,
                    "blackout's BGP identifier, an IPv4 address (default: the session's local IPv4 address)");
  watch->add_option("--local", w->local,
                    "Active: the ADDRESS[:PORT] to connect from; --passive: where to listen (default all addresses, port 179)");
  watch->add_flag("--passive", w->passive, "Wait for the peer to connect instead of connecting");
  watch->add_option("--hold-time", w->hold_time, "Hold time to propose, in seconds (0, or 3-65535)")->capture_default_str();
  watch->add_option("--prefix", w->prefixes, "Only lines for this prefix (repeatable); session changes are always printed");
  watch
      ->add_option(
          "--match", w->match,
          "How --prefix matches: exact, more-specific (the prefix or inside it) or covering (the prefix or containing it)")
      ->check(CLI::IsMember({"exact", "more-specific", "covering"}))
      ->capture_default_str();
  watch->add_option("--duration", w->duration, "Stop after this long (like 30s, 10m); default: until SIGINT or SIGTERM");
  return [o, read, w, watch]() -> int {
    if (read->parsed()) return run_bgp_read(*o);
    if (watch->parsed()) return run_bgp_watch(*w);
    return exit_failure;
  };
}

}  // namespace blackout::cli
