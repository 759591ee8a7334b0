// Reports built from the recorded lab runs (tests/data/lab-runs, unpacked by CMake): the
// narrative must tell what really happened (two stress-led waves in `reuters`, DNS before
// the routers), the series must show the outages, and every format must be well formed —
// HTML with one sized SVG chart per layer and nothing fetched from elsewhere, CSV with one
// correctly quoted row per event, JSON that parses. Also the chart, the bins and the
// escaping on their own, with hostile names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <tuple>

#include "config/loader.hpp"
#include "model/event_json.hpp"
#include "report/builder.hpp"
#include "report/chart.hpp"
#include "report/escape.hpp"
#include "report/render.hpp"
#include "report/replay.hpp"
#include "report/series.hpp"
#include "store/rollup.hpp"
#include "store/store.hpp"

namespace blackout::report {
namespace {

const std::filesystem::path runs = BLACKOUT_LAB_RUNS_DIR;

struct Built {
  Config config;
  Report report;
};

Built build(const std::string& scenario) {
  const auto dir = runs / scenario;
  auto config = load_config_file((dir / "lab.yaml").string());
  if (!config) throw std::runtime_error(scenario + ": " + config.error()[0].to_string());
  auto store = open_store("sqlite:" + (dir / "results.db").string());
  if (!store) throw std::runtime_error(scenario + ": " + store.error().message);
  ReportRequest request;
  request.targets = config->targets;
  request.params = config->detection;
  auto report = build_report(**store, request);
  if (!report) throw std::runtime_error(scenario + ": " + report.error().message);
  return {std::move(*config), std::move(*report)};
}

const Report& reuters() {
  static const Built built = build("reuters");
  return built.report;
}

const NarrativeSection* section(const Report& r, const std::string& title) {
  for (const NarrativeSection& s : r.narrative.sections)
    if (s.title == title) return &s;
  return nullptr;
}

std::string all_text(const Narrative& n) {
  std::string text = n.headline + "\n";
  for (const NarrativeSection& s : n.sections)
    for (const std::string& line : s.lines) text += line + "\n";
  return text;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The start tags of an element, e.g. every <svg ...>.
std::vector<std::string> tags_named(const std::string& html, const std::string& name) {
  std::vector<std::string> tags;
  for (auto at = html.find("<" + name); at != std::string::npos; at = html.find("<" + name, at + 1))
    tags.push_back(html.substr(at, html.find('>', at) - at + 1));
  return tags;
}

// Whether any tag has a src or href attribute: a report must fetch and link nothing.
bool links_anywhere(const std::string& html) {
  for (auto at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    const std::string tag = html.substr(at, html.find('>', at) - at);
    if (tag.find(" src=") != std::string::npos || tag.find(" href=") != std::string::npos) return true;
  }
  return false;
}

// RFC 4180: fields, quotes doubled inside quoted fields, line breaks allowed inside them.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, in_field = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      if (!field.empty()) throw std::runtime_error("a quote inside an unquoted field");
      quoted = in_field = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      in_field = false;
    } else {
      field += c;
      in_field = true;
    }
  }
  if (quoted) throw std::runtime_error("an unterminated quoted field");
  if (in_field || !row.empty()) throw std::runtime_error("the last row has no line end");
  return rows;
}

TEST(Report, ReutersNarrativeTellsTwoStressLedWavesWithDnsBeforeTheRouters) {
  const Report& r = reuters();
  ASSERT_EQ(r.waves.size(), 2u);
  EXPECT_GT(r.results, 3000);
  EXPECT_EQ(r.vantages, std::vector<std::string>{"lab-vantage"});
  EXPECT_NE(r.narrative.headline.find("2 waves of outages"), std::string::npos) << r.narrative.headline;
  // The name servers were stopped at minute 25 of each wave, before the link went at 32: the
  // first layer down. (Two flooded web sites of four, down from minutes 5 and 8, are not yet
  // their layer: more than half are.)
  EXPECT_NE(r.narrative.headline.find("DNS fell first in every wave"), std::string::npos) << r.narrative.headline;
  EXPECT_NE(r.narrative.headline.find("stress-led"), std::string::npos) << r.narrative.headline;

  const NarrativeSection* waves = section(r, "Waves");
  ASSERT_NE(waves, nullptr);
  ASSERT_EQ(waves->lines.size(), 2u);
  EXPECT_NE(waves->lines[0].find("The whole network was down from"), std::string::npos) << waves->lines[0];

  const NarrativeSection* cascade = section(r, "Cascade");
  ASSERT_NE(cascade, nullptr);
  ASSERT_GE(cascade->lines.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& line = cascade->lines[i];
    const auto dns = line.find("DNS"), router = line.find("router");
    ASSERT_NE(dns, std::string::npos) << line;
    ASSERT_NE(router, std::string::npos) << line;
    EXPECT_LT(dns, router) << line;
  }

  const NarrativeSection* signature = section(r, "Signature");
  ASSERT_NE(signature, nullptr);
  EXPECT_NE(signature->lines[0].find("are stress-led"), std::string::npos) << signature->lines[0];
  EXPECT_NE(signature->lines[0].find("The BGP layer's 2 events say when the watched prefixes left the routing table"),
            std::string::npos)
      << signature->lines[0];
  EXPECT_NE(signature->lines[1].find("answers fell to "), std::string::npos) << "the evidence follows: " << signature->lines[1];
  EXPECT_NE(signature->lines[1].find("before the first failure"), std::string::npos) << signature->lines[1];

  const NarrativeSection* stress = section(r, "Stress and loss");
  ASSERT_NE(stress, nullptr);
  EXPECT_NE(stress->lines[0].find("x the normal round-trip time and 7"), std::string::npos)
      << "about three in four probes lost: " << stress->lines[0];

  const NarrativeSection* brunt = section(r, "Targets that took the brunt");
  ASSERT_NE(brunt, nullptr);
  EXPECT_GE(brunt->lines.size(), 5u);
  EXPECT_NE(brunt->lines[0].find("down "), std::string::npos) << brunt->lines[0];

  const NarrativeSection* vantages = section(r, "What the vantages saw");
  ASSERT_NE(vantages, nullptr);
  EXPECT_NE(vantages->lines[0].find("lab-vantage: " + std::to_string(r.results) + " results"), std::string::npos)
      << vantages->lines[0];
}

TEST(Report, ReutersSeriesShowEveryLayerGoingDarkTwiceUnderStress) {
  const Report& r = reuters();
  EXPECT_EQ(r.series.source, "results");
  EXPECT_EQ(r.series.bin, std::chrono::seconds(1));
  std::vector<std::string> layers;
  for (const LayerSeries& ls : r.series.layers) layers.emplace_back(to_string(ls.layer));
  EXPECT_EQ(layers, (std::vector<std::string>{"web", "mail", "dns", "router", "bgp"}))
      << "the control target is no layer of its own";
  for (const LayerSeries& ls : r.series.layers) {
    ASSERT_FALSE(ls.points.empty());
    EXPECT_LE(ls.points.size(), 300u);
    int dark_spells = 0;
    bool dark = false;
    double peak_stress = 0;
    for (const SeriesPoint& p : ls.points) {
      const bool now_dark = p.reachability && *p.reachability == 0;
      dark_spells += now_dark && !dark ? 1 : 0;
      dark = now_dark;
      peak_stress = std::max(peak_stress, p.stress.value_or(0));
    }
    EXPECT_EQ(dark_spells, 2) << to_string(ls.layer);
    // A prefix has no round-trip time: the bgp layer is never stressed, only gone.
    if (ls.layer != Layer::bgp) {
      EXPECT_GT(peak_stress, 1.0) << to_string(ls.layer) << ": stressed before it fell";
    }
    const auto first =
        std::find_if(ls.points.begin(), ls.points.end(), [](const SeriesPoint& p) { return p.reachability.has_value(); });
    ASSERT_NE(first, ls.points.end());
    EXPECT_EQ(first->reachability, 1.0) << "up before the story begins";
  }
}

TEST(Report, HtmlIsOneSelfContainedFileWithOneSizedChartPerLayer) {
  const Report& r = reuters();
  const std::string html = render_html(r);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<svg"), r.series.layers.size());
  EXPECT_EQ(count(html, "</svg>"), r.series.layers.size());
  for (const std::string& tag : tags_named(html, "svg")) {
    EXPECT_TRUE(std::regex_search(tag, std::regex(R"( width="\d+")"))) << tag;
    EXPECT_TRUE(std::regex_search(tag, std::regex(R"( height="\d+")"))) << tag;
    EXPECT_TRUE(std::regex_search(tag, std::regex(R"( viewBox="0 0 \d+ \d+")"))) << tag;
  }
  for (const LayerSeries& ls : r.series.layers)
    EXPECT_NE(html.find("id=\"chart-" + std::string(to_string(ls.layer)) + "\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_FALSE(links_anywhere(html)) << "nothing fetched, nothing linked";
  EXPECT_EQ(count(html, "<tr class="), r.events.size()) << "one table row per event";
  EXPECT_NE(html.find("DNS fell first"), std::string::npos);
  EXPECT_EQ(html, render_html(r)) << "deterministic";
}

TEST(Report, CsvHasAHeaderAndOneQuotedRowPerEvent) {
  const Report& r = reuters();
  const auto rows = parse_csv(render_csv(r));
  ASSERT_EQ(rows.size(), r.events.size() + 1);
  EXPECT_EQ(rows[0][0], "id");
  EXPECT_EQ(rows[0].size(), 16u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), rows[0].size()) << i;
    EXPECT_EQ(rows[i][0], r.events[i - 1].id);
    EXPECT_EQ(rows[i][12], to_string(r.events[i - 1].signature));
    // The evidence holds commas ("peaking at 42.4x RTT and 83% loss" after a comma): quoted.
    std::string evidence;
    for (const std::string& e : r.events[i - 1].evidence) evidence += (evidence.empty() ? "" : "; ") + e;
    EXPECT_EQ(rows[i][15], evidence);
  }
}

TEST(Report, JsonParsesAndCarriesTheNarrativeSeriesAndEvents) {
  const Report& r = reuters();
  const auto doc = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(doc["narrative"]["headline"], r.narrative.headline);
  EXPECT_EQ(doc["events"].size(), r.events.size());
  EXPECT_EQ(doc["waves"].size(), 2u);
  std::vector<std::string> cascade;
  for (const auto& step : doc["waves"][0]["cascade"]) cascade.push_back(step["layer"]);
  const auto dns = std::find(cascade.begin(), cascade.end(), "dns"), router = std::find(cascade.begin(), cascade.end(), "router");
  ASSERT_NE(dns, cascade.end());
  ASSERT_NE(router, cascade.end());
  EXPECT_LT(dns, router);
  EXPECT_EQ(doc["series"]["layers"].size(), r.series.layers.size());
  EXPECT_EQ(doc["series"]["bin_seconds"], 1.0);
  EXPECT_EQ(doc["events"][0]["id"], r.events[0].id);
}

TEST(Report, TextAndMarkdownTellTheSameStory) {
  const Report& r = reuters();
  const std::string text = render_text(r), markdown = render_markdown(r);
  for (const std::string& out : {text, markdown}) {
    EXPECT_NE(out.find("2 waves of outages"), std::string::npos);
    EXPECT_NE(out.find("DNS fell first, at"), std::string::npos);
    EXPECT_NE(out.find("Events (" + std::to_string(r.events.size()) + ")"), std::string::npos);
  }
  EXPECT_NE(markdown.find("\n## Cascade\n"), std::string::npos);
  EXPECT_EQ(count(markdown, "\n| "), r.events.size() + r.series.layers.size() + 4)
      << "a row per event and per layer, two headers and two rules";
}

TEST(Report, BgpCutReadsAsARoutingWithdrawal) {
  const Built built = build("bgp-cut");
  // The network went dark with the prefix: that is what it looked like; the layers, each on
  // its own, failed at once without stress (clean cuts).
  EXPECT_NE(built.report.narrative.headline.find("It looked routing-withdrawal"), std::string::npos)
      << built.report.narrative.headline;
  EXPECT_NE(all_text(built.report.narrative).find("clean-cut"), std::string::npos) << all_text(built.report.narrative);
  EXPECT_NE(all_text(built.report.narrative).find("BGP at"), std::string::npos) << "the prefix's going is in the cascade";
}

TEST(Report, TheVantagesUplinkIsToldAsSuch) {
  const Built built = build("vantage-down");
  const std::string text = all_text(built.report.narrative);
  EXPECT_NE(built.report.narrative.headline.find("all vantage-local: the vantage's own uplink failed"), std::string::npos)
      << built.report.narrative.headline;
  EXPECT_NE(text.find("its control target transit failed too"), std::string::npos) << text;
}

TEST(Report, AQuietHourSaysNothingWentDark) {
  const Built built = build("quiet");
  EXPECT_TRUE(built.report.waves.empty());
  EXPECT_EQ(built.report.narrative.headline.rfind("No wave of outages", 0), 0u) << built.report.narrative.headline;
  EXPECT_NE(built.report.narrative.headline.find("No event at all"), std::string::npos) << built.report.narrative.headline;
  EXPECT_EQ(section(built.report, "Cascade"), nullptr);
  const std::string html = render_html(built.report);
  EXPECT_EQ(count(html, "<svg"), built.report.series.layers.size());
}

// The per-minute rollups a monitor would have kept of a store's results.
std::vector<Rollup> rollups_of(Store& store) {
  RollupBuilder rollups;
  EXPECT_TRUE(store.read_results({}, [&](Result&& result) {
    rollups.add(result);
    return true;
  }));
  return rollups.take_all();
}

// A store file of the test's own, removed with its WAL and shared memory when it ends.
struct ScratchStoreFile {
  explicit ScratchStoreFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("blackout-" + name + "-" + std::to_string(::getpid()) + ".db")) {
    remove();
  }
  ~ScratchStoreFile() { remove(); }
  void remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
  std::filesystem::path path;
};

TEST(Report, WithOnlyRollupsLeftTheSeriesComeFromThem) {
  // The raw results pruned, the per-minute rollups kept: the report still draws the layers.
  const auto dir = runs / "reuters";
  auto config = load_config_file((dir / "lab.yaml").string());
  ASSERT_TRUE(config);
  auto source = open_store("sqlite:" + (dir / "results.db").string(), StoreAccess::read_only);
  ASSERT_TRUE(source);
  const ScratchStoreFile file("report-rollups");
  {
    auto store = open_store("sqlite:" + file.path.string());
    ASSERT_TRUE(store) << store.error().message;
    const auto all = rollups_of(**source);
    ASSERT_FALSE(all.empty());
    ASSERT_TRUE((*store)->write_rollups(all));
    ReportRequest request;
    request.targets = config->targets;
    request.params = config->detection;
    const auto report = build_report(**store, request);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->series.source, "rollups");
    EXPECT_EQ(report->series.bin, std::chrono::minutes(1));
    EXPECT_EQ(report->series.layers.size(), 5u);
    EXPECT_TRUE(report->events.empty()) << "no raw results, nothing to detect";
    bool some_loss = false;
    for (const LayerSeries& ls : report->series.layers)
      for (const SeriesPoint& p : ls.points) some_loss = some_loss || (p.reachability && *p.reachability < 1);
    EXPECT_TRUE(some_loss) << "the minutes of the outages show";
  }
}

TEST(Report, WithOnlyRollupsAndStoredEventsLeftTheStoryIsTheOneTheMonitorStored) {
  // Raw results pruned (kept a week), events kept for good: a report of an old period tells
  // the waves the monitor found as it ran.
  const auto dir = runs / "reuters";
  auto config = load_config_file((dir / "lab.yaml").string());
  ASSERT_TRUE(config);
  auto source = open_store("sqlite:" + (dir / "results.db").string(), StoreAccess::read_only);
  ASSERT_TRUE(source);
  const auto rollups = rollups_of(**source);
  ASSERT_FALSE(rollups.empty());
  ResultQuery everything;
  const auto analysis = analyze_store(**source, config->targets, config->detection, everything);
  ASSERT_TRUE(analysis);
  ASSERT_EQ(analysis->waves.size(), 2u);
  const ScratchStoreFile file("report-events");
  {
    auto store = open_store("sqlite:" + file.path.string());
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->write_rollups(rollups));
    ASSERT_TRUE((*store)->write_detection({}, analysis->events, analysis->waves));
    ReportRequest request;
    request.targets = config->targets;
    request.params = config->detection;
    const auto report = build_report(**store, request);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->series.source, "rollups");
    // The same events (the store orders those of one start by id, detection by when it made them).
    const auto by_start_and_id = [](std::vector<Event> events) {
      std::sort(events.begin(), events.end(),
                [](const Event& x, const Event& y) { return std::tie(x.start, x.id) < std::tie(y.start, y.id); });
      return events;
    };
    EXPECT_TRUE(events_to_json(by_start_and_id(report->events), report->waves) ==
                events_to_json(by_start_and_id(analysis->events), analysis->waves))
        << "the stored story differs from detection's";
    EXPECT_NE(report->narrative.headline.find("2 waves of outages"), std::string::npos) << report->narrative.headline;
    ASSERT_NE(section(*report, "Source"), nullptr);
    // A period after the outages has none of them.
    request.from = analysis->waves.back().end.value() + std::chrono::hours(1);
    request.to = *request.from + std::chrono::hours(1);
    const auto later = build_report(**store, request);
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_TRUE(later->events.empty());
  }
}

Report hostile_report() {
  Report r;
  r.store = "sqlite:/tmp/<b>x.db";
  r.from = Timestamp(std::chrono::seconds(1800000000));
  r.to = r.from + std::chrono::minutes(10);
  r.vantages = {"v<1>"};
  r.narrative.headline = "A <script>alert(1)</script> & \"quotes\"";
  r.narrative.sections = {{"Signature", {"evidence with | pipe and *stars* and <i>tags</i>"}}};
  r.series.bin = std::chrono::seconds(10);
  r.series.source = "results";
  LayerSeries ls;
  ls.layer = Layer::web;
  ls.targets = 1;
  for (int i = 0; i < 60; ++i)
    ls.points.push_back(
        {r.from + std::chrono::seconds(10 * i), i < 20 || i > 30 ? 1.0 : 0.0, i == 25 ? std::nullopt : std::optional(0.5)});
  r.series.layers = {ls};
  Event e;
  e.id = "target:v<1>/evil\",name:1";
  e.scope = Scope::layer;
  e.layer = Layer::web;
  e.subject = "<img src=x onerror=alert(1)>, \"web\"\nsecond line";
  e.kind = State::down;
  e.start = r.from + std::chrono::minutes(3);
  e.end = r.from + std::chrono::minutes(5);
  e.down_at = e.start;
  e.signature = Signature::clean_cut;
  e.evidence = {"a, b \"c\""};
  e.vantages = {"v<1>"};
  e.targets = {"a,b"};
  r.events = {e};
  return r;
}

TEST(Report, HostileNamesCannotBreakAnyFormat) {
  const Report r = hostile_report();
  const std::string html = render_html(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_FALSE(links_anywhere(html));

  const auto rows = parse_csv(render_csv(r));
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[1].size(), 16u);
  EXPECT_EQ(rows[1][0], r.events[0].id);
  EXPECT_EQ(rows[1][3], r.events[0].subject) << "a line break inside a quoted field";
  EXPECT_EQ(rows[1][15], "a, b \"c\"");

  const std::string markdown = render_markdown(r);
  EXPECT_EQ(markdown.find("with | pipe"), std::string::npos);
  EXPECT_NE(markdown.find("with \\| pipe"), std::string::npos);
  // The subject's line break does not end its table row.
  const auto at = markdown.find("second line");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(markdown[at - 1], '\n');
  const auto doc = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(doc["events"][0]["subject"], r.events[0].subject);
}

TEST(Chart, IsDeterministicSizedAndBreaksLinesWhereNothingWasMeasured) {
  chart::TimelineChart c;
  c.title = "Layer <web>";
  c.id = "chart-web";
  c.from = Timestamp(std::chrono::seconds(1800000000));
  c.to = c.from + std::chrono::minutes(10);
  c.right_axis = true;
  c.right = chart::ValueAxis{"stress", 0, 0, false, 1.0, "threshold"};
  chart::Series s{"reachable", "#2b6cb0", chart::Axis::left, chart::Style::line, std::chrono::seconds(10), {}};
  for (int i = 0; i < 60; ++i)
    s.points.push_back({c.from + std::chrono::seconds(10 * i), i == 30 ? std::nullopt : std::optional(1.0)});
  chart::Series stress{"stress", "#dd6b20", chart::Axis::right, chart::Style::line, std::chrono::seconds(10), {}};
  for (int i = 0; i < 60; ++i) stress.points.push_back({c.from + std::chrono::seconds(10 * i), 7.3});
  c.series = {s, stress};
  c.bands = {{c.from + std::chrono::minutes(2), c.from + std::chrono::minutes(3), "down", "#e53e3e", "a <band>"}};
  const std::string svg = chart::render_svg(c);
  EXPECT_EQ(svg, chart::render_svg(c));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart-web\" class=\"timeline\" width=\"1040\" "
                      "height=\"280\" viewBox=\"0 0 1040 280\"",
                      0),
            0u)
      << svg.substr(0, 200);
  EXPECT_EQ(count(svg, "class=\"series\""), 3u) << "the gap splits the first line in two";
  EXPECT_EQ(count(svg, "class=\"band\""), 1u);
  EXPECT_NE(svg.find("a &lt;band&gt;"), std::string::npos);
  EXPECT_NE(svg.find("Layer &lt;web&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">8</text>"), std::string::npos) << "the right axis fits 7.3 under a round 8";
  EXPECT_NE(svg.find(">08:00</text>"), std::string::npos) << "UTC labels (1800000000 is 2027-01-15T08:00:00Z)";
}

TEST(Chart, TimeTicksAreRoundSteps) {
  EXPECT_EQ(chart::time_tick_step(std::chrono::minutes(3), 900), std::chrono::seconds(30));
  EXPECT_EQ(chart::time_tick_step(std::chrono::hours(3), 900), std::chrono::minutes(30));
  EXPECT_EQ(chart::time_tick_step(std::chrono::hours(24 * 7), 900), std::chrono::hours(24));
}

TEST(Series, BinsGrowToKeepLongIntervalsWithinTheirPoints) {
  EXPECT_EQ(bin_for(std::chrono::minutes(3), 300), std::chrono::seconds(1));
  EXPECT_EQ(bin_for(std::chrono::hours(1), 300), std::chrono::seconds(30));
  EXPECT_EQ(bin_for(std::chrono::hours(24), 300), std::chrono::minutes(10));

  Target web{"site", Layer::web, {}, std::nullopt, "", "", 1.0, false, {}};
  SeriesBuilder builder({web}, DetectionParams{}, 100);
  const Timestamp start(std::chrono::seconds(1800000000));
  for (int i = 0; i < 7200; ++i) {
    Result r;
    r.time = start + std::chrono::seconds(i);
    r.vantage = "v";
    r.target = "site";
    r.check = "icmp";
    // Down for the second quarter hour.
    const bool down = i >= 900 && i < 1800;
    r.outcome = down ? Outcome::timeout : Outcome::ok;
    if (!down) r.rtt = std::chrono::milliseconds(20);
    builder.add(r);
  }
  const TimeSeries series = builder.finish(start, start + std::chrono::hours(2));
  ASSERT_EQ(series.layers.size(), 1u);
  EXPECT_LE(series.layers[0].points.size(), 100u);
  EXPECT_GE(series.bin, std::chrono::seconds(72));
  std::size_t dark = 0;
  for (const SeriesPoint& p : series.layers[0].points) dark += p.reachability == 0.0 ? 1 : 0;
  EXPECT_NEAR(static_cast<double>(dark) * to_seconds(series.bin), 900, 2 * to_seconds(series.bin));
}

TEST(Escape, EachFormatsSpecialCharacters) {
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(markdown_escape("a|b*c\nd"), "a\\|b\\*c d");
}

}  // namespace
}  // namespace blackout::report
