// A real PostgreSQL server for tests.
#include "support/postgres.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "support/net.hpp"
#include "support/netns.hpp"

namespace blackout::testing_support {
namespace {
const std::string bin = "/usr/lib/postgresql/15/bin/";
}

bool PostgresServer::available() { return is_root() && std::filesystem::exists(bin + "initdb"); }

void PostgresServer::run_as_postgres(const std::string& command) const {
  // initdb refuses to run as root; the Debian package made a postgres user for this.
  run_command("runuser -u postgres -- " + command);
}

PostgresServer::PostgresServer() : data_((dir_.path() / "data").string()), port_(unused_tcp_port()) {
  run_command("chown postgres " + dir_.path().string());
  run_as_postgres(bin + "initdb -D " + data_ + " -A trust -U postgres --no-sync -E UTF8");
  start();
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::start() {
  if (running_) return;
  // fsync off: these servers hold test data only, and a test must not wait for the disk.
  run_as_postgres(bin + "pg_ctl -D " + data_ + " -w -t 30 -l " + (dir_.path() / "server.log").string() + " -o \"-p " +
                  std::to_string(port_) + " -k " + dir_.path().string() +
                  " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start");
  running_ = true;
}

void PostgresServer::stop() {
  if (!running_) return;
  std::system(("runuser -u postgres -- " + bin + "pg_ctl -D " + data_ + " -w -t 30 -m fast stop >/dev/null 2>&1").c_str());
  running_ = false;
}

std::string PostgresServer::create_database(const std::string& name) {
  run_as_postgres(bin + "createdb -h 127.0.0.1 -p " + std::to_string(port_) + " -U postgres " + name);
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace blackout::testing_support
