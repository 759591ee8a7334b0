// The loaded configuration: what one blackout process watches, from where, and where it
// stores what it sees. Produced only by load_config(), which validates everything.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/detection_params.hpp"
#include "model/target.hpp"
#include "model/time.hpp"

namespace blackout {

struct CheckDefaults {
  Duration interval = 10s;
  Duration timeout = 2s;
  Duration jitter = 1s;
  int confirmations = 2;
  Duration confirm_spacing = 500ms;
};

struct Retention {
  Duration raw = std::chrono::hours(24 * 7);
  Duration rollups = std::chrono::hours(24 * 400);
};

struct Config {
  std::string source;          // file name, or a label for configs loaded from text
  std::string vantage;
  std::string store = "sqlite:var/blackout.db";
  bool lab_only = false;       // refuse any address outside loopback and the lab ranges
  Retention retention;
  DetectionParams detection;  // the `detection` section; defaults in model/detection_params.hpp
  CheckDefaults defaults;
  std::map<std::string, std::string> groups;  // name -> description
  std::vector<Target> targets;

  [[nodiscard]] std::size_t check_count() const;
};

}  // namespace blackout
