// A real PostgreSQL server for tests: initdb into a temporary folder, started on a loopback
// port as the postgres user, stopped (by pg_ctl, which signals its own PID) afterwards.
#pragma once

#include <cstdint>
#include <string>

#include "support/process.hpp"

namespace blackout::testing_support {

class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A fresh database on this server, and the URL to reach it.
  std::string create_database(const std::string& name);
  void stop();
  void start();
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] static bool available();

 private:
  void run_as_postgres(const std::string& command) const;
  TempDir dir_;
  std::string data_;
  std::uint16_t port_;
  bool running_ = false;
};

}  // namespace blackout::testing_support
