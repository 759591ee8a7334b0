// The store writer thread.
#include "store/writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "util/log.hpp"

namespace blackout {

StoreWriter::StoreWriter(std::unique_ptr<Store> store, WriterOptions options, const Clock& clock)
    : store_(std::move(store)), options_(std::move(options)), clock_(clock), description_(store_->describe()) {
  thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() { flush_and_stop(std::chrono::seconds(5)); }

bool StoreWriter::submit(Result&& result) {
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queue) {
      ++counters_.dropped;
      return false;
    }
    queue_.push_back(std::move(result));
    counters_.queued = queue_.size();
  }
  ++counters_.accepted;
  if (counters_.queued >= options_.batch) wake_.notify_one();
  return true;
}

void StoreWriter::submit_config(const Config& config, Timestamp at) {
  {
    const std::lock_guard lock(mutex_);
    pending_config_ = std::make_pair(config, at);
  }
  wake_.notify_one();
}

void StoreWriter::submit_detection(std::vector<StateChange> changes, std::vector<Event> events, std::vector<Wave> waves) {
  const std::lock_guard lock(mutex_);
  for (StateChange& c : changes) pending_changes_.push_back(std::move(c));
  for (Event& e : events) {
    std::string id = e.id;
    pending_events_.insert_or_assign(std::move(id), std::move(e));
  }
  for (Wave& w : waves) {
    std::string id = w.id;
    pending_waves_.insert_or_assign(std::move(id), std::move(w));
  }
}

void StoreWriter::register_stats(Stats& stats) const {
  stats.gauge("blackout_store_healthy", "1 while the store accepts writes.", [this] { return counters_.healthy ? 1.0 : 0.0; });
  stats.counter("blackout_store_results_total", "Results committed to the store.",
                [this] { return static_cast<double>(counters_.committed.load()); });
  stats.counter("blackout_store_dropped_total", "Results refused because the store's queue was full.",
                [this] { return static_cast<double>(counters_.dropped.load()); });
  stats.counter("blackout_store_failed_writes_total", "Store transactions that failed (and were retried).",
                [this] { return static_cast<double>(counters_.failed_writes.load()); });
  stats.gauge("blackout_store_queue_depth", "Results waiting to be written.",
              [this] { return static_cast<double>(counters_.queued.load()); });
  stats.gauge("blackout_store_last_write_seconds", "How long the store's last transaction took.",
              [this] { return static_cast<double>(counters_.last_write_us.load()) / 1e6; });
}

std::string StoreWriter::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

bool StoreWriter::flush_and_stop(Duration limit) {
  {
    const std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return queue_.empty();
    stopping_ = true;
    stop_deadline_ = clock_.now() + limit;
  }
  wake_.notify_one();
  thread_.join();
  const std::lock_guard lock(mutex_);
  if (!queue_.empty())
    log::error("store.unwritten", {{"store", description_}, {"results", queue_.size()}, {"error", last_error_}});
  return queue_.empty();
}

void StoreWriter::write_status_file() {
  if (options_.status_file.empty()) return;
  // One write at offset 0 of a fixed-size text: a reader never sees a half-written or
  // empty file, and the file needs no rename (the monitor may no longer own its folder).
  char text[256];
  const int length = std::snprintf(
      text, sizeof text, "committed %llu\naccepted %llu\ndropped %llu\nqueued %zu\nhealthy %d\n",
      static_cast<unsigned long long>(counters_.committed.load()), static_cast<unsigned long long>(counters_.accepted.load()),
      static_cast<unsigned long long>(counters_.dropped.load()), counters_.queued.load(), counters_.healthy ? 1 : 0);
  std::memset(text + length, ' ', sizeof text - static_cast<std::size_t>(length) - 1);
  text[sizeof text - 1] = '\n';
  const int fd = ::open(options_.status_file.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)::pwrite(fd, text, sizeof text, 0);
  ::close(fd);
}

void StoreWriter::run() {
  // The minutes just before a restart already have rollups built from part of their
  // results: rebuild them from the raw results the store keeps, so that the next upsert
  // covers the whole minute.
  {
    const Timestamp wall = clock_.wall_now();
    ResultQuery recent;
    recent.from = minute_of(wall) - std::chrono::minutes(3);
    const auto read = store_->read_results(recent, [&](Result&& r) {
      rollups_.add(r);
      return true;
    });
    // Not fatal: those minutes' rollups then miss the results stored before the restart,
    // which the raw results still hold.
    if (!read) log::warn("store.rollups_not_rebuilt", {{"store", description_}, {"error", read.error().message}});
  }
  std::vector<Result> batch;
  Duration backoff = options_.retry_first;
  MonoTime next_prune = clock_.now();
  std::uint64_t dropped_reported = 0;
  MonoTime next_drop_report = clock_.now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (batch.empty()) {
        wait_until(clock_, wake_, lock, clock_.now() + options_.flush_every,
                   [&] { return stopping_ || pending_config_ || queue_.size() >= options_.batch; });
        const std::size_t n = std::min(queue_.size(), options_.batch);
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        counters_.queued = queue_.size();
      }
      if (pending_config_ && counters_.healthy) {
        auto [config, at] = std::move(*pending_config_);
        pending_config_.reset();
        lock.unlock();
        if (auto written = store_->write_config(config, at); !written)
          log::error("store.config_not_recorded", {{"store", description_}, {"error", written.error().message}});
        lock.lock();
      }
      // Detection after the results that led to it; only once those are all written.
      if (batch.empty() && queue_.empty() && counters_.healthy &&
          (!pending_changes_.empty() || !pending_events_.empty() || !pending_waves_.empty())) {
        std::vector<StateChange> changes = std::move(pending_changes_);
        std::vector<Event> events;
        std::vector<Wave> waves;
        for (auto& [id, e] : pending_events_) events.push_back(std::move(e));
        for (auto& [id, w] : pending_waves_) waves.push_back(std::move(w));
        pending_changes_.clear();
        pending_events_.clear();
        pending_waves_.clear();
        lock.unlock();
        if (auto written = store_->write_detection(changes, events, waves); !written) {
          log::error("store.detection_not_recorded", {{"store", description_}, {"error", written.error().message}});
          lock.lock();
          // Put them back (newer versions of the same documents win) and try again later.
          pending_changes_.insert(pending_changes_.begin(), changes.begin(), changes.end());
          for (Event& e : events) {
            std::string id = e.id;
            pending_events_.try_emplace(std::move(id), std::move(e));
          }
          for (Wave& w : waves) {
            std::string id = w.id;
            pending_waves_.try_emplace(std::move(id), std::move(w));
          }
        } else {
          lock.lock();
        }
      }
      if (batch.empty() && stopping_ && pending_changes_.empty() && pending_events_.empty() && pending_waves_.empty()) break;
      if (batch.empty() && stopping_ && clock_.now() >= stop_deadline_) break;
    }
    if (!batch.empty()) {
      const MonoTime started = clock_.now();
      auto written = store_->write_results(batch);
      // The back-off counts from the failure, read before anyone can see it counted.
      const MonoTime finished = clock_.now();
      counters_.last_write_us = (finished - started).count();
      if (written) {
        // Healthy before the count moves: whoever sees the results committed sees the store
        // healthy too.
        if (!counters_.healthy) log::info("store.recovered", {{"store", description_}, {"queued", counters_.queued.load()}});
        counters_.healthy = true;
        counters_.committed += batch.size();
        for (const Result& r : batch) rollups_.add(r);
        backoff = options_.retry_first;
        batch.clear();
        const auto closed = rollups_.take_closed();
        if (!closed.empty() && store_->write_rollups(closed)) counters_.rollups += closed.size();
        write_status_file();
      } else {
        ++counters_.failed_writes;
        {
          const std::lock_guard lock(mutex_);
          last_error_ = written.error().message;
        }
        if (counters_.healthy)
          log::error("store.write_failed", {{"store", description_},
                                            {"kind", to_string(written.error().kind)},
                                            {"error", written.error().message},
                                            {"keeping", batch.size()}});
        counters_.healthy = false;
        write_status_file();
        // Back off, but wake for a stop; past the stop deadline, give up what is left.
        std::unique_lock lock(mutex_);
        if (stopping_ && clock_.now() >= stop_deadline_) {
          for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
          batch.clear();
          break;
        }
        wait_until(clock_, wake_, lock, finished + backoff, [&] { return stopping_ && clock_.now() >= stop_deadline_; });
        backoff = std::min(options_.retry_most, backoff * 2);
        continue;
      }
    }
    const MonoTime now = clock_.now();
    if (counters_.dropped != dropped_reported && now >= next_drop_report) {
      log::warn("store.dropping",
                {{"store", description_}, {"dropped_total", counters_.dropped.load()}, {"queue_limit", options_.max_queue}});
      dropped_reported = counters_.dropped;
      next_drop_report = now + std::chrono::seconds(10);
    }
    if (now >= next_prune && counters_.healthy) {
      const Timestamp wall = clock_.wall_now();
      if (auto pruned = store_->prune(wall - options_.raw_retention, wall - options_.rollup_retention); pruned)
        counters_.pruned += static_cast<std::uint64_t>(pruned->results + pruned->rollups);
      next_prune = now + options_.prune_every;
    }
  }
  // Partial minutes too, at shutdown.
  const auto open = rollups_.take_all();
  if (!open.empty() && store_->write_rollups(open)) counters_.rollups += open.size();
  write_status_file();
}

}  // namespace blackout
