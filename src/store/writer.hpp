// The store writer: the monitor's loop hands it results and never waits for the database.
// A thread of its own batches them into transactions; when the store is slow, full or
// down it keeps the results in a bounded queue, retries with back-off, says so in the log,
// catches up when it can, and counts every result it had to drop — never silently. It also
// builds the per-minute rollups and prunes old data on schedule.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/clock.hpp"
#include "store/rollup.hpp"
#include "store/store.hpp"
#include "util/stats.hpp"

namespace blackout {

struct WriterOptions {
  std::size_t max_queue = 1'000'000;  // results held while the store cannot take them
  std::size_t batch = 20'000;         // most results per transaction
  Duration flush_every = std::chrono::milliseconds(200);
  Duration retry_first = std::chrono::milliseconds(250);
  Duration retry_most = std::chrono::seconds(15);
  Duration raw_retention = std::chrono::hours(24 * 7);
  Duration rollup_retention = std::chrono::hours(24 * 400);
  Duration prune_every = std::chrono::minutes(10);
  std::string status_file;  // rewritten (atomically) after each commit, if set
};

struct WriterCounters {
  std::atomic<std::uint64_t> accepted{0};   // handed to the writer
  std::atomic<std::uint64_t> committed{0};  // in the store, transaction committed
  std::atomic<std::uint64_t> dropped{0};    // refused because the queue was full
  std::atomic<std::uint64_t> failed_writes{0};
  std::atomic<std::uint64_t> rollups{0};
  std::atomic<std::uint64_t> pruned{0};
  std::atomic<std::size_t> queued{0};
  std::atomic<std::int64_t> last_write_us{0};  // how long the last transaction took
  std::atomic<bool> healthy{true};
};

class StoreWriter {
 public:
  // Time (back-off, flushes, pruning, rollup minutes) is the clock's: a ManualClock runs the
  // writer in virtual time.
  StoreWriter(std::unique_ptr<Store> store, WriterOptions options, const Clock& clock = system_clock());
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Never blocks on the database. False when the queue was full and the result dropped.
  bool submit(Result&& result);
  // Records a config (at start and at each reload) from the writer's thread.
  void submit_config(const Config& config, Timestamp at);
  // Detection's conclusions: state changes are appended, events and waves replace earlier
  // versions with the same id. Written after the results queued before them.
  void submit_detection(std::vector<StateChange> changes, std::vector<Event> events, std::vector<Wave> waves);
  // Writes everything queued (waiting at most `limit` for a store that is down), then stops
  // the thread. Returns true if nothing was left unwritten.
  bool flush_and_stop(Duration limit);
  [[nodiscard]] const WriterCounters& counters() const { return counters_; }
  // Registers the counters above for /metrics (blackout_store_*); the writer must outlive `stats`' readers.
  void register_stats(Stats& stats) const;
  [[nodiscard]] std::string describe() const { return description_; }
  [[nodiscard]] std::string last_error() const;

 private:
  void run();
  void write_status_file();

  std::unique_ptr<Store> store_;
  WriterOptions options_;
  const Clock& clock_;
  std::string description_;
  WriterCounters counters_;
  RollupBuilder rollups_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Result> queue_;
  std::optional<std::pair<Config, Timestamp>> pending_config_;
  std::vector<StateChange> pending_changes_;
  std::map<std::string, Event> pending_events_;
  std::map<std::string, Wave> pending_waves_;
  bool stopping_ = false;
  MonoTime stop_deadline_{};
  std::string last_error_;
  std::thread thread_;
};

}  // namespace blackout
