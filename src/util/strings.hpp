// Small string helpers shared by every module: splitting, trimming, quoting for messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace blackout {

std::vector<std::string> split(std::string_view text, char separator);
std::string_view trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
// Quotes a value for an error message or a log field, escaping control characters so that
// hostile input (a reply from a probed server) cannot forge log lines.
std::string quoted(std::string_view text);
// Renders bytes safely for a human: printable ASCII as is, the rest as \xNN.
std::string printable(std::string_view bytes, std::size_t max_length = 200);
std::string to_lower(std::string_view text);
// The text of an errno value ("No such file or directory"), from strerror_r. The store writer
// and alert delivery run threads of their own; POSIX does not promise that strerror is safe
// there (glibc's is, since 2.32), and clang-tidy's concurrency-mt-unsafe holds us to POSIX.
std::string errno_text(int error);

}  // namespace blackout
