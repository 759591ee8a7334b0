// Deciding alerts from state changes, in virtual time: which rule selects what, a cascade as
// one incident with updates, a recovery that must hold before it is announced, a flapping
// target that does not storm, and the message bodies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alert/delivery.hpp"
#include "alert/notifier.hpp"
#include "config/loader.hpp"

namespace blackout {
namespace {

const Timestamp t0 = Timestamp{std::chrono::seconds(1'800'000'000)};

Config load(const std::string& alerts) {
  const std::string text =
      "lab_only: true\ngroups: { government: ministries }\ntargets:\n"
      "  - { name: mfa, layer: web, groups: [government], address: 198.18.64.10, checks: [icmp] }\n"
      "  - { name: kcna, layer: web, address: 198.18.64.13, checks: [icmp] }\n"
      "  - { name: ns1, layer: dns, address: 198.18.64.20, checks: [icmp] }\n" +
      alerts;
  auto config = load_config_text(text, "alerts.yaml");
  if (!config) throw std::runtime_error(config.error()[0].to_string());
  return *config;
}

StateChange change(double seconds, Scope scope, const std::string& subject, State from, State to,
                   const std::string& vantage = "") {
  return StateChange{
      t0 + std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)), vantage, scope, subject, from, to, "test"};
}

const char* channels =
    "alerts:\n  group_window: 30s\n  channels:\n    - { name: hook, webhook: { url: \"http://127.0.0.1:9/\" } }\n";

TEST(Notifier, ACascadeIsOneIncidentWithOneUpdateAndOneResolution) {
  const Config config =
      load(std::string(channels) +
           "  rules:\n    - { name: all, scope: layer, kinds: [down, stressed, recovered], channels: [hook] }\n");
  Notifier notifier(config.alerts, config.targets);
  std::vector<Notification> sent;
  const auto take = [&](std::vector<Notification> n) { sent.insert(sent.end(), n.begin(), n.end()); };
  take(notifier.add(change(0, Scope::layer, "dns", State::up, State::down)));
  ASSERT_EQ(sent.size(), 1u) << "the first failure is told at once";
  EXPECT_EQ(sent[0].kind, Notification::Kind::opened);
  EXPECT_EQ(sent[0].title, "blackout: layer dns down");
  take(notifier.add(change(6, Scope::layer, "router", State::up, State::down)));
  take(notifier.add(change(7, Scope::layer, "web", State::up, State::stressed)));
  take(notifier.add(change(9, Scope::layer, "mail", State::up, State::down)));
  take(notifier.tick(t0 + std::chrono::seconds(20)));
  EXPECT_EQ(sent.size(), 1u) << "the rest of the cascade waits for the group window";
  take(notifier.tick(t0 + std::chrono::seconds(37)));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].kind, Notification::Kind::update);
  EXPECT_EQ(sent[1].incident, sent[0].incident);
  EXPECT_EQ(sent[1].sequence, 1);
  ASSERT_EQ(sent[1].changes.size(), 3u) << "router and mail down, web stressed: one message";
  EXPECT_EQ(sent[1].not_up.size(), 4u);
  // Everything back; announced once it has held for the window.
  take(notifier.add(change(100, Scope::layer, "dns", State::down, State::up)));
  take(notifier.add(change(101, Scope::layer, "router", State::down, State::up)));
  take(notifier.add(change(101, Scope::layer, "web", State::stressed, State::up)));
  take(notifier.add(change(102, Scope::layer, "mail", State::down, State::up)));
  take(notifier.tick(t0 + std::chrono::seconds(131)));
  ASSERT_EQ(sent.size(), 3u) << "dns's recovery is in an update";
  EXPECT_EQ(sent[2].kind, Notification::Kind::update);
  take(notifier.tick(t0 + std::chrono::seconds(133)));
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[3].kind, Notification::Kind::resolved);
  EXPECT_EQ(sent[3].incident, sent[0].incident);
  // A new failure later is a new incident.
  take(notifier.add(change(500, Scope::layer, "dns", State::up, State::down)));
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[4].kind, Notification::Kind::opened);
  EXPECT_NE(sent[4].incident, sent[0].incident);
}

TEST(Notifier, AFlappingTargetIsOneIncidentNotAStorm) {
  const Config config = load(std::string(channels) + "  rules:\n    - { scope: target, subjects: [mfa], channels: [hook] }\n");
  Notifier notifier(config.alerts, config.targets);
  std::size_t sent = 0;
  for (int i = 0; i < 10; ++i) {
    // Down for 5 s, up for 5 s, ten times: recoveries never hold for the 30 s window.
    sent += notifier.add(change(i * 10, Scope::target, "mfa", State::up, State::down, "v1")).size();
    sent += notifier.add(change(i * 10 + 5, Scope::target, "mfa", State::down, State::up, "v1")).size();
    sent += notifier.tick(t0 + std::chrono::seconds(i * 10 + 9)).size();
  }
  sent += notifier.tick(t0 + std::chrono::seconds(200)).size();
  // Opened, updates at most every 30 s over 100 s, resolved.
  EXPECT_GE(sent, 3u);
  EXPECT_LE(sent, 6u);
}

TEST(Notifier, RulesSelectByScopeSubjectGroupAndKind) {
  const Config config =
      load(std::string(channels) +
           "  rules:\n"
           "    - { name: gov, scope: group, subjects: [government], kinds: [down, stressed], channels: [hook] }\n"
           "    - { name: net, scope: network, channels: [hook] }\n");
  Notifier notifier(config.alerts, config.targets);
  EXPECT_TRUE(notifier.add(change(0, Scope::target, "kcna", State::up, State::down, "v1")).empty()) << "kcna is not in the group";
  const auto gov = notifier.add(change(1, Scope::target, "mfa", State::up, State::stressed, "v1"));
  ASSERT_EQ(gov.size(), 1u);
  EXPECT_EQ(gov[0].rule, "gov");
  EXPECT_TRUE(notifier.add(change(2, Scope::network, "network", State::up, State::stressed)).empty()) << "net asks for down only";
  EXPECT_TRUE(notifier.add(change(3, Scope::network, "network", State::up, State::down, "v1")).empty())
      << "one vantage's view is not the network's";
  const auto net = notifier.add(change(4, Scope::network, "network", State::stressed, State::down));
  ASSERT_EQ(net.size(), 1u);
  EXPECT_EQ(net[0].rule, "net");
  // Recoveries without an incident say nothing.
  EXPECT_TRUE(notifier.add(change(5, Scope::target, "kcna", State::down, State::up, "v1")).empty());
}

TEST(Notifier, IsAPureFunctionOfTheChanges) {
  const Config config =
      load(std::string(channels) + "  rules:\n    - { scope: layer, kinds: [down, stressed, recovered], channels: [hook] }\n");
  const auto run = [&] {
    Notifier notifier(config.alerts, config.targets);
    std::string log;
    for (int i = 0; i < 50; ++i) {
      const State to = i % 3 == 0 ? State::down : i % 3 == 1 ? State::stressed : State::up;
      for (const Notification& n : notifier.add(change(i * 7, Scope::layer, i % 2 ? "dns" : "web", State::up, to)))
        log += n.title + "|" + n.text;
      for (const Notification& n : notifier.tick(t0 + std::chrono::seconds(i * 7 + 3))) log += n.title + "|" + n.text;
    }
    return log;
  };
  EXPECT_EQ(run(), run());
}

TEST(AlertMessages, WebhookPayloadsInEachFormatAndAThreadedEmail) {
  const Config config = load(std::string(channels) + "  rules:\n    - { scope: network, channels: [hook] }\n");
  Notifier notifier(config.alerts, config.targets);
  auto opened = notifier.add(change(0, Scope::network, "network", State::up, State::down));
  ASSERT_EQ(opened.size(), 1u);
  AlertChannel hook;
  hook.name = "hook";
  const auto json = nlohmann::json::parse(webhook_payload(hook, opened[0], "lab-vantage"));
  EXPECT_EQ(json["kind"], "opened");
  EXPECT_EQ(json["changes"][0]["to"], "down");
  EXPECT_EQ(json["vantage"], "lab-vantage");
  hook.format = "slack";
  EXPECT_EQ(
      nlohmann::json::parse(webhook_payload(hook, opened[0], "v"))["text"].get<std::string>().rfind("blackout: network down", 0),
      0u);
  hook.format = "matrix";
  EXPECT_EQ(nlohmann::json::parse(webhook_payload(hook, opened[0], "v"))["msgtype"], "m.text");

  notifier.add(change(100, Scope::network, "network", State::down, State::up));
  const auto resolved = notifier.tick(t0 + std::chrono::seconds(200));
  ASSERT_EQ(resolved.size(), 1u);
  AlertChannel mail;
  mail.kind = AlertChannel::Kind::email;
  mail.from = "blackout@kp.test";
  mail.to = {"noc@kp.test", "desk@kp.test"};
  const std::string first = email_message(mail, opened[0], "v", opened[0].time);
  const std::string last = email_message(mail, resolved[0], "v", resolved[0].time);
  EXPECT_NE(first.find("Subject: blackout: network down\r\n"), std::string::npos) << first;
  EXPECT_NE(first.find("To: noc@kp.test, desk@kp.test\r\n"), std::string::npos);
  const auto id = first.substr(first.find("Message-ID: ") + 12,
                               first.find("\r\n", first.find("Message-ID: ")) - first.find("Message-ID: ") - 12);
  EXPECT_NE(last.find("In-Reply-To: " + id + "\r\n"), std::string::npos) << last;
  EXPECT_EQ(last.find("\n.\r\n"), std::string::npos) << "no bare dot line in the body";
}

TEST(AlertConfig, MistakesAreNamedWhereTheyAre) {
  const auto bad = [](const std::string& alerts) {
    auto config = load_config_text(
        "lab_only: true\ntargets:\n  - { name: a, layer: web, address: 127.0.0.1, checks: [icmp] }\n" + alerts, "x.yaml");
    return config ? std::string("loaded") : config.error()[0].to_string();
  };
  EXPECT_EQ(
      bad("alerts:\n  channels:\n    - { name: h, webhook: { url: \"http://8.8.8.8/\" } }\n"),
      "x.yaml:6:34: alerts.channels[0].webhook.url: address 8.8.8.8 is outside loopback and the lab ranges, and lab_only is set");
  EXPECT_EQ(bad("alerts:\n  channels:\n    - { name: h, webhook: { url: \"http://127.0.0.1/\" } }\n  rules:\n    - { scope: "
                "layer, subjects: [dnss], channels: [h] }\n"),
            "x.yaml:8:34: alerts.rules[0].subjects[0]: no layer \"dnss\"");
  EXPECT_EQ(bad("alerts:\n  channels:\n    - { name: h, webhook: { url: \"http://127.0.0.1/\" } }\n  rules:\n    - { channels: "
                "[mail] }\n"),
            "x.yaml:8:20: alerts.rules[0].channels[0]: no channel \"mail\" in alerts.channels");
  EXPECT_EQ(bad("alerts:\n  channels:\n    - { name: m, email: { server: \"smtp://127.0.0.1:25\", from: nobody, to: [a@b] } }\n"),
            "x.yaml:6:64: alerts.channels[0].email.from: expected an e-mail address, got \"nobody\"");
  EXPECT_EQ(bad("alerts:\n  channels:\n    - { name: m }\n"),
            "x.yaml:6:7: alerts.channels[0]: a channel is either a webhook or an email");
}

}  // namespace
}  // namespace blackout
