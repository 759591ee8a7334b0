// One source of truth: docs/config.md embeds the schema exactly as `blackout config schema`
// prints it, and every key the schema lists is reachable by the loader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/schema.hpp"
#include "model/event.hpp"
#include "model/event_json.hpp"

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

std::string read_doc(const char* name) {
  std::ifstream in(std::filesystem::path(BLACKOUT_SOURCE_DIR) / name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The words of an event: every signature has a name and a meaning, and the documents that
// users read name every one.
TEST(VocabularyDocs, EverySignatureIsNamedDescribedAndDocumented) {
  const std::string events = read_doc("docs/events.md"), detection = read_doc("docs/detection.md");
  ASSERT_FALSE(events.empty());
  for (const SignatureInfo& info : signature_table()) {
    EXPECT_EQ(signature_from_string(info.name), info.signature) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    if (info.signature == Signature::none) continue;
    EXPECT_NE(events.find("`" + std::string(info.name) + "`"), std::string::npos) << "docs/events.md does not name " << info.name;
    EXPECT_NE(detection.find(std::string(info.name)), std::string::npos) << "docs/detection.md does not name " << info.name;
  }
  EXPECT_FALSE(signature_from_string("stress-lead"));
  EXPECT_EQ(state_from_string("stressed"), State::stressed);
  EXPECT_EQ(scope_from_string("layer"), Scope::layer);
  EXPECT_FALSE(scope_from_string("planet"));
}

TEST(VocabularyDocs, AnEventDocumentWithWordsNotOursIsRefusedNamingTheField) {
  Event e;
  e.id = "network:network:1";
  e.scope = Scope::network;
  e.subject = "network";
  e.kind = State::down;
  e.signature = Signature::clean_cut;
  const std::string good = event_to_json(e);
  const auto back = event_from_json(good);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, State::down);
  EXPECT_EQ(back->signature, Signature::clean_cut);
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const auto bad_signature = event_from_json(replaced("\"clean-cut\"", "\"switch\""));
  ASSERT_FALSE(bad_signature);
  EXPECT_NE(bad_signature.error().message.find("field signature"), std::string::npos) << bad_signature.error().message;
  const auto bad_kind = event_from_json(replaced("\"kind\":\"down\"", "\"kind\":\"up\""));
  ASSERT_FALSE(bad_kind);
  EXPECT_NE(bad_kind.error().message.find("field kind: expected down or stressed"), std::string::npos)
      << bad_kind.error().message;
  Wave w;
  w.id = "wave:1";
  w.signatures = {Signature::stress_led, Signature::clean_cut};
  const auto wave = wave_from_json(wave_to_json(w));
  ASSERT_TRUE(wave) << wave.error().message;
  EXPECT_EQ(wave->signatures, w.signatures);
}

TEST(SchemaDocs, EveryKeyHasATypeAndAMeaning) {
  for (const KeySpec& spec : config_schema()) {
    EXPECT_FALSE(spec.type.empty()) << spec.path;
    EXPECT_FALSE(spec.description.empty()) << spec.path;
  }
}

TEST(SchemaDocs, TopLevelKeys) {
  const auto keys = child_keys("");
  EXPECT_EQ(keys, (std::vector<std::string_view>{"vantage", "store", "lab_only", "retention", "detection", "alerts", "bgp",
                                                 "resolver", "defaults", "groups", "targets"}));
}

}  // namespace
}  // namespace blackout
