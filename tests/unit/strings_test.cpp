// Small string helpers: the text of an errno value.
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace blackout {
namespace {

TEST(ErrnoText, SaysWhatTheErrorIs) {
  EXPECT_EQ(errno_text(ENOENT), "No such file or directory");
  EXPECT_EQ(errno_text(EACCES), "Permission denied");
  EXPECT_EQ(errno_text(123456), "Unknown error 123456");
}

}  // namespace
}  // namespace blackout
