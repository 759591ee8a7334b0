// Several MRT files as one stream in time order; see mrt_merge.hpp.
#include "bgp/mrt_merge.hpp"

namespace blackout::bgp {
namespace {

std::uint64_t time_of(const MrtRecord& record) {
  return static_cast<std::uint64_t>(record.header.timestamp) * 1'000'000 + record.header.microseconds;
}

}  // namespace

Expected<MrtMerge> MrtMerge::open(const std::vector<std::filesystem::path>& files) {
  MrtMerge merge;
  merge.files_ = files;
  for (const auto& file : files) {
    auto reader = MrtReader::open(file);
    if (!reader) return make_error(file.string() + ": " + reader.error().message);
    merge.readers_.push_back(std::move(*reader));
  }
  merge.heads_.resize(files.size());
  merge.done_.assign(files.size(), false);
  for (std::size_t i = 0; i < files.size(); ++i) merge.fill(i);
  return merge;
}

void MrtMerge::fill(std::size_t file) {
  while (!done_[file] && !heads_[file]) {
    auto next = readers_[file].next();
    if (!next) {
      pending_errors_.push_back(MergeError{file, next.error()});
      if (!next.error().recoverable) done_[file] = true;
      return;  // the error goes out first; the file is read on at the next call
    }
    if (!*next) {
      done_[file] = true;
      return;
    }
    heads_[file] = std::move(**next);
  }
}

Expected<std::optional<MergedRecord>, MergeError> MrtMerge::next() {
  if (!pending_errors_.empty()) {
    MergeError error = std::move(pending_errors_.front());
    pending_errors_.erase(pending_errors_.begin());
    fill(error.file);
    return error;
  }
  std::optional<std::size_t> earliest;
  for (std::size_t i = 0; i < heads_.size(); ++i)
    if (heads_[i] && (!earliest || time_of(*heads_[i]) < time_of(*heads_[*earliest]))) earliest = i;
  if (!earliest) return std::optional<MergedRecord>{};
  MergedRecord out{*earliest, std::move(*heads_[*earliest])};
  heads_[*earliest].reset();
  fill(*earliest);
  return std::optional<MergedRecord>{std::move(out)};
}

}  // namespace blackout::bgp
