// Several MRT files read as one stream in time order: collectors write a RIB dump per file
// and updates per file (or, like BIRD, dumps beside one growing updates file), each file in
// time order, so a merge by timestamp keeping one record per file gives the whole story in
// order, in bounded memory. Ties go to the file named first. A file's errors are its own:
// reported with its name, and the other files go on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bgp/mrt_reader.hpp"
#include "util/expected.hpp"

namespace blackout::bgp {

struct MergedRecord {
  std::size_t file = 0;  // index into the files given
  MrtRecord record;
};

struct MergeError {
  std::size_t file = 0;
  MrtError error;
};

class MrtMerge {
 public:
  // Opens every file; the error names the first that cannot be opened.
  static Expected<MrtMerge> open(const std::vector<std::filesystem::path>& files);

  // The earliest record of all files; nothing when all are read; or one file's error (after
  // which that file goes on when the error is recoverable, and is over when not).
  Expected<std::optional<MergedRecord>, MergeError> next();

  [[nodiscard]] const std::vector<std::filesystem::path>& files() const { return files_; }
  [[nodiscard]] const MrtReader& reader(std::size_t file) const { return readers_[file]; }

 private:
  MrtMerge() = default;
  // Reads the next record of a file into its slot; an error is kept for next() to return.
  void fill(std::size_t file);

  std::vector<std::filesystem::path> files_;
  std::vector<MrtReader> readers_;
  std::vector<std::optional<MrtRecord>> heads_;
  std::vector<bool> done_;
  std::vector<MergeError> pending_errors_;
};

}  // namespace blackout::bgp
