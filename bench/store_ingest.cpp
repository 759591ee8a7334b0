// Sustained ingest into each store backend, in results per second and bytes per stored
// result, beside a plain sqlite3 bulk insert of the same rows (prepared statement, one
// transaction per batch, nothing else) as the reference ceiling.
// Usage: store_ingest DIR [POSTGRES_URL] [RESULTS]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "model/result_format.hpp"
#include "store/codec.hpp"
#include "store/store.hpp"

namespace {

using namespace blackout;
using Clock = std::chrono::steady_clock;

std::vector<Result> make_results(std::size_t n) {
  std::vector<Result> results;
  results.reserve(n);
  const Timestamp start{std::chrono::seconds(1'800'000'000)};
  for (std::size_t i = 0; i < n; ++i) {
    Result r;
    r.time = start + std::chrono::microseconds(i * 50);
    r.vantage = "lab-mon";
    r.target = "h" + std::to_string(i % 5000);
    r.check = "icmp";
    r.kind = CheckKind::icmp;
    r.outcome = i % 97 == 0 ? Outcome::timeout : Outcome::ok;
    if (r.outcome == Outcome::ok) r.rtt = std::chrono::microseconds(800 + i % 300);
    r.fields.push_back({"seq", std::int64_t(i % 65536)});
    r.fields.push_back({"payload_size", std::int64_t{56}});
    r.fields.push_back({"reply_from", "198.19." + std::to_string(i % 250) + "." + std::to_string(i % 199)});
    r.fields.push_back({"ttl", std::int64_t{62}});
    results.push_back(std::move(r));
  }
  return results;
}

constexpr std::size_t batch = 20000;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void report(const char* name, std::size_t n, double seconds, double bytes) {
  if (bytes < 0) std::printf("| %s | %.0f | (below) |\n", name, static_cast<double>(n) / seconds);
  else std::printf("| %s | %.0f | %.0f |\n", name, static_cast<double>(n) / seconds, bytes / static_cast<double>(n));
}

double file_bytes(const std::filesystem::path& path) {
  double total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(path.string() + suffix, ignored);
    if (!ignored) total += static_cast<double>(size);
  }
  return total;
}

bool run_store(const char* name, const std::string& url, const std::vector<Result>& results,
               const std::function<double()>& bytes) {
  auto store = open_store(url);
  if (!store) {
    std::fprintf(stderr, "%s: %s\n", name, store.error().message.c_str());
    return false;
  }
  const auto start = Clock::now();
  for (std::size_t i = 0; i < results.size(); i += batch) {
    const auto written = (*store)->write_results(std::span(results).subspan(i, std::min(batch, results.size() - i)));
    if (!written) {
      std::fprintf(stderr, "%s: %s\n", name, written.error().message.c_str());
      return false;
    }
  }
  const double seconds = seconds_since(start);
  report(name, results.size(), seconds, bytes());
  return true;
}

void run_plain_sqlite(const std::filesystem::path& path, const std::vector<Result>& results) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE results (time_us INTEGER, series INTEGER, "
               "outcome INTEGER, "
               "rtt_us INTEGER, dns_us INTEGER, connect_us INTEGER, tls_us INTEGER, first_byte_us INTEGER, confirmation INTEGER, "
               "fields TEXT, detail TEXT); CREATE INDEX results_by_time ON results (time_us);",
               nullptr, nullptr, nullptr);
  // The same rows, with their text already made: only the inserts are timed.
  std::vector<std::string> fields;
  fields.reserve(results.size());
  for (const Result& r : results) fields.push_back(encode_fields(r.fields));
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO results VALUES (?1, ?2, ?3, ?4, NULL, NULL, NULL, NULL, 0, ?5, NULL)", -1, &insert,
                     nullptr);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i % batch == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    const Result& r = results[i];
    sqlite3_bind_int64(insert, 1, r.time.time_since_epoch().count());
    sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(i % 5000));
    sqlite3_bind_int(insert, 3, static_cast<int>(r.outcome));
    if (r.rtt) sqlite3_bind_int64(insert, 4, r.rtt->count());
    else sqlite3_bind_null(insert, 4);
    sqlite3_bind_text(insert, 5, fields[i].data(), static_cast<int>(fields[i].size()), SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    if (i % batch == batch - 1 || i + 1 == results.size()) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double seconds = seconds_since(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  report("plain sqlite3 bulk insert (ceiling)", results.size(), seconds, file_bytes(path));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [POSTGRES_URL] [RESULTS]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::string postgres = argc > 2 ? argv[2] : "";
  const std::size_t n = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1'000'000;
  const auto results = make_results(n);
  std::printf("Ingest of %zu icmp results in batches of %zu\n| store | results/s | bytes per result |\n| --- | --- | --- |\n", n,
              batch);
  const auto sqlite_path = dir / "ingest.db";
  run_store("blackout SQLite", "sqlite:" + sqlite_path.string(), results, [&] { return file_bytes(sqlite_path); });
  if (!postgres.empty()) {
    // Its size on disk is asked of the server by bench/store.sh (pg_total_relation_size).
    run_store("blackout PostgreSQL", postgres, results, [] { return -1.0; });
  }
  run_plain_sqlite(dir / "plain.db", results);
  return 0;
}
