// One source of truth: docs/config.md embeds the schema exactly as `blackout config schema`
// prints it, and every key the schema lists is reachable by the loader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/schema.hpp"

namespace blackout {
namespace {

TEST(SchemaDocs, ConfigMdEmbedsTheGeneratedReference) {
  std::ifstream in(std::filesystem::path(BLACKOUT_SOURCE_DIR) / "docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md is missing";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const std::string begin = "<!-- BEGIN GENERATED: blackout config schema -->\n";
  const std::string end = "<!-- END GENERATED -->";
  const std::size_t b = doc.find(begin);
  const std::size_t e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), schema_markdown())
      << "docs/config.md is out of date: run scripts/update-docs";
}

TEST(SchemaDocs, EveryKeyHasATypeAndAMeaning) {
  for (const KeySpec& spec : config_schema()) {
    EXPECT_FALSE(spec.type.empty()) << spec.path;
    EXPECT_FALSE(spec.description.empty()) << spec.path;
  }
}

TEST(SchemaDocs, TopLevelKeys) {
  const auto keys = child_keys("");
  EXPECT_EQ(keys, (std::vector<std::string_view>{"vantage", "store", "lab_only", "retention", "detection", "alerts", "bgp", "resolver", "defaults", "groups", "targets"}));
}

}  // namespace
}  // namespace blackout
