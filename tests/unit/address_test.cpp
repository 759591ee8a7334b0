// Addresses, prefixes and the lab ranges.
#include "model/address.hpp"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(Address, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(IpAddress::parse("198.18.64.10")->to_string(), "198.18.64.10");
  EXPECT_EQ(IpAddress::parse("fd00:198:18:0::1")->to_string(), "fd00:198:18::1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::g", "198.18.64.10/32", " 1.2.3.4"})
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
}

TEST(Prefix, ContainsAndRejectsHostBits) {
  const auto kp = Prefix::parse("175.45.176.0/22");
  ASSERT_TRUE(kp);
  EXPECT_TRUE(kp->contains(*IpAddress::parse("175.45.179.255")));
  EXPECT_FALSE(kp->contains(*IpAddress::parse("175.45.180.0")));
  EXPECT_TRUE(kp->contains(*Prefix::parse("175.45.177.0/24")));
  EXPECT_FALSE(Prefix::parse("175.45.177.0/22"));
  EXPECT_EQ(Prefix::parse("175.45.177.0/22", true)->to_string(), "175.45.176.0/22");
  EXPECT_FALSE(Prefix::parse("10.0.0.0/33"));
  EXPECT_TRUE(Prefix::parse("::/0"));
}

TEST(Address, LabRanges) {
  EXPECT_TRUE(is_lab_address(*IpAddress::parse("127.0.0.1")));
  EXPECT_TRUE(is_lab_address(*IpAddress::parse("::1")));
  EXPECT_TRUE(is_lab_address(*IpAddress::parse("198.19.255.255")));
  EXPECT_TRUE(is_lab_address(*IpAddress::parse("fd00:198:18:1::5")));
  EXPECT_FALSE(is_lab_address(*IpAddress::parse("175.45.176.15")));
  EXPECT_FALSE(is_lab_address(*IpAddress::parse("10.0.0.1")));
  EXPECT_FALSE(is_lab_address(*IpAddress::parse("198.20.0.1")));
}

}  // namespace
}  // namespace blackout
