// blackout lab: bring the emulated country up or down, show its state, play scenarios.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "config/values.hpp"
#include "lab/family.hpp"
#include "lab/lab.hpp"
#include "lab/robustness.hpp"
#include "lab/run.hpp"
#include "lab/score.hpp"
#include "lab/simulate.hpp"
#include "lab/topology.hpp"
#include "report/event_text.hpp"
#include "report/replay.hpp"
#include "store/store.hpp"

namespace blackout::cli {
namespace {

struct LabOptions {
  std::string name = "bo";
  std::string state_dir;
};

lab::Lab make_lab(const LabOptions& o) {
  return lab::Lab(o.name, o.state_dir.empty() ? lab::Lab::default_state_dir(o.name) : std::filesystem::path(o.state_dir));
}

void print_progress(const std::string& line) {
  std::printf("lab: %s\n", line.c_str());
  std::fflush(stdout);
}

void add_common(CLI::App* command, LabOptions& o) {
  command->add_option("--name", o.name, "Lab name: namespaces are NAME-<role>")
      ->check([](const std::string& name) -> std::string {
        if (name.empty() || name.size() > 8) return "1 to 8 letters or digits";
        for (const char c : name)
          if (!std::isalnum(static_cast<unsigned char>(c))) return "1 to 8 letters or digits";
        return "";
      })
      ->capture_default_str();
  command->add_option("--state-dir", o.state_dir,
                      "Where the lab keeps configs, logs, sockets and MRT files (default /run/blackout-lab/NAME)");
}

std::string self_path() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string("blackout");
}

// Detection over a run's stored results with the run's config, scored against its ground
// truth; prints the story and the score, writes events.json and score.json beside them.
std::optional<lab::RobustnessRun> score_dir(const std::filesystem::path& dir, bool print_events, bool print_score) {
  std::ifstream truth_file(dir / "ground-truth.json");
  if (!truth_file) {
    std::fprintf(stderr, "blackout lab score: %s: no ground-truth.json (a folder `blackout lab run` wrote)\n", dir.c_str());
    return std::nullopt;
  }
  std::stringstream text;
  text << truth_file.rdbuf();
  auto truth = lab::ground_truth_from_json(text.str());
  if (!truth) {
    std::fprintf(stderr, "blackout lab score: %s: %s\n", (dir / "ground-truth.json").c_str(), truth.error().message.c_str());
    return std::nullopt;
  }
  auto config = load_config_file((dir / "lab.yaml").string());
  if (!config) throw ConfigLoadError(config.error());
  auto store = open_store(config->store, StoreAccess::read_only);
  if (!store) {
    std::fprintf(stderr, "blackout lab score: store %s: %s\n", config->store.c_str(), store.error().message.c_str());
    return std::nullopt;
  }
  const auto analysis = analyze_store(**store, config->targets, config->detection, ResultQuery{});
  if (!analysis) {
    std::fprintf(stderr, "blackout lab score: %s\n", analysis.error().message.c_str());
    return std::nullopt;
  }
  std::ofstream(dir / "events.json") << events_to_json(analysis->events, analysis->waves) << '\n';
  if (print_events) std::fputs(events_to_text(analysis->events, analysis->waves).c_str(), stdout);
  // Two probe intervals of the lab's config.
  std::ifstream monitor_log(dir / "monitor.log");
  const auto declarations = lab::read_declarations(monitor_log);
  lab::RobustnessRun run;
  run.name = dir.filename().string();
  run.seed = truth->seed;
  run.score = lab::score_run(*truth, analysis->events, analysis->waves, 2 * config->defaults.interval, declarations);
  if (auto stored = (*store)->read_events({})) run.live_agreement = lab::live_agreement(*stored, analysis->events);
  std::ofstream(dir / "score.json") << lab::score_to_json(run.score) << '\n';
  if (print_score) {
    std::fputs(lab::score_to_text(run.score).c_str(), stdout);
    if (run.live_agreement)
      std::printf("  live events equal to analyze's: %d of %d\n", run.live_agreement->first, run.live_agreement->second);
  }
  return run;
}

int score_run_dir(const std::filesystem::path& dir, bool print_events) {
  const auto run = score_dir(dir, print_events, true);
  return run && run->score.pass() ? exit_ok : exit_failure;
}

}  // namespace

Runner add_lab_command(CLI::App& app) {
  auto* command = app.add_subcommand("lab", "Build the emulated network and play scenarios in it (root)");
  command->require_subcommand(1);
  auto o = std::make_shared<LabOptions>();
  auto* up = command->add_subcommand("up", "Build the lab: namespaces, links, BGP, servers");
  auto* down = command->add_subcommand("down", "Remove exactly what `lab up` made (idempotent)");
  auto* status = command->add_subcommand("status", "Say what of the lab is there and running");
  auto* run = command->add_subcommand("run", "Play a scenario: lab up if needed, monitor in the vantage, actions, report, score");
  auto* score = command->add_subcommand("score", "Score a run's events against its ground truth");
  auto* config = command->add_subcommand("config", "Print the monitor config the lab runs with");
  auto* scenarios = command->add_subcommand("scenarios", "List the built-in scenarios");
  auto* draw =
      command->add_subcommand("draw", "Print the scenario of the randomised family that a seed draws, with its ground truth");
  auto* simulate =
      command->add_subcommand("simulate", "Play scenarios in a model of the lab, in virtual time, and score detection on them");
  auto* table =
      command->add_subcommand("table", "Add up scored runs (folders `blackout lab run` wrote) into the robustness table");
  for (auto* sub : {up, down, status, run}) add_common(sub, *o);
  struct RunArgs {
    std::string scenario, out;
    std::optional<std::uint64_t> seed;
    double speed = 0;
    std::string warmup = "12 intervals";
    bool keep = false;
  };
  auto r = std::make_shared<RunArgs>();
  auto* scenario_option =
      run->add_option("scenario", r->scenario, "A built-in scenario (see `blackout lab scenarios`) or a scenario file");
  auto* random_option = run->add_option("--random", r->seed,
                                        "Play the randomised family's scenario of this seed instead (see `blackout lab draw`)");
  scenario_option->excludes(random_option);
  auto draw_seed = std::make_shared<std::uint64_t>(0);
  draw->add_option("seed", *draw_seed, "The seed: the same seed always draws the same scenario")->required();
  run->add_option("--speed", r->speed, "Story seconds per lab second (default: the scenario's)");
  run->add_option("--out", r->out,
                  "Folder for the run's config, results, logs, ground truth and score (default var/lab-runs/SCENARIO)");
  run->add_option(
         "--warmup", r->warmup,
         "Monitoring before the story starts, so that baselines are learned: a duration or N probe intervals (the scenario's)")
      ->capture_default_str();
  run->add_flag("--keep-up", r->keep, "Leave the lab up after the run (it is taken down if this run brought it up)");
  auto score_folder = std::make_shared<std::string>();
  score->add_option("run", *score_folder, "A folder `blackout lab run` wrote")->required();
  struct SimulateArgs {
    std::string scenario;
    std::optional<std::uint64_t> seed;
    int seeds = 1;
    std::uint64_t noise = 1;
    bool events = false;
  };
  auto sim = std::make_shared<SimulateArgs>();
  auto* sim_scenario = simulate->add_option("scenario", sim->scenario, "A built-in scenario or a scenario file");
  auto* sim_random = simulate->add_option("--random", sim->seed, "The randomised family's scenario of this seed");
  sim_scenario->excludes(sim_random);
  simulate->add_option("--seeds", sim->seeds, "With --random: this many seeds from SEED on, added up into the robustness table")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  simulate->add_option("--noise", sim->noise, "Seed of the simulation's own randomness (jitter, loss, probe phases)")
      ->capture_default_str();
  simulate->add_flag("--events", sim->events, "Print the events found, as `blackout analyze` does");
  auto table_dirs = std::make_shared<std::vector<std::string>>();
  table->add_option("runs", *table_dirs, "Folders `blackout lab run` wrote")->required();

  return [=]() -> int {
    if (*config) {
      std::fputs(lab::lab_monitor_config("sqlite:var/lab.db").c_str(), stdout);
      return exit_ok;
    }
    if (*scenarios) {
      for (const std::string& name : lab::builtin_scenarios()) {
        const auto scenario = lab::load_scenario(name);
        std::printf("%-14s %s\n", name.c_str(), scenario ? scenario->description.c_str() : scenario.error().message.c_str());
      }
      return exit_ok;
    }
    if (*score) return score_run_dir(*score_folder, false);
    if (*simulate) {
      if (sim->scenario.empty() && !sim->seed) {
        std::fprintf(stderr, "blackout lab simulate: name a scenario, or --random SEED\n");
        return exit_usage;
      }
      std::vector<lab::RobustnessRun> runs;
      if (sim->seed) {
        for (int i = 0; i < sim->seeds; ++i) {
          const std::uint64_t seed = *sim->seed + static_cast<std::uint64_t>(i);
          runs.push_back(lab::simulate_and_score(lab::random_scenario(seed), sim->noise, sim->events));
          if (sim->seeds == 1) std::fputs(lab::score_to_text(runs.back().score).c_str(), stdout);
        }
      } else {
        auto scenario = lab::load_scenario(sim->scenario);
        if (!scenario) {
          std::fprintf(stderr, "blackout lab simulate: %s\n", scenario.error().message.c_str());
          return exit_failure;
        }
        runs.push_back(lab::simulate_and_score(*scenario, sim->noise, sim->events));
        std::fputs(lab::score_to_text(runs.back().score).c_str(), stdout);
      }
      const auto totals = lab::add_up(runs);
      if (runs.size() > 1) std::fputs(lab::robustness_table(runs, totals).c_str(), stdout);
      return totals.passed == totals.runs ? exit_ok : exit_failure;
    }
    if (*table) {
      std::vector<lab::RobustnessRun> runs;
      for (const std::string& dir : *table_dirs)
        if (auto scored = score_dir(dir, false, false)) runs.push_back(std::move(*scored));
        else return exit_failure;
      const auto totals = lab::add_up(runs);
      std::fputs(lab::robustness_table(runs, totals).c_str(), stdout);
      return totals.passed == totals.runs ? exit_ok : exit_failure;
    }
    if (*draw) {
      std::fputs(lab::scenario_to_yaml(lab::random_scenario(*draw_seed)).c_str(), stdout);
      return exit_ok;
    }
    lab::Lab lab = make_lab(*o);
    if (*run) {
      if (r->scenario.empty() && !r->seed) {
        std::fprintf(stderr, "blackout lab run: name a scenario, or --random SEED\n");
        return exit_usage;
      }
      auto scenario = r->seed ? Expected<lab::Scenario>(lab::random_scenario(*r->seed)) : lab::load_scenario(r->scenario);
      if (!scenario) {
        std::fprintf(stderr, "blackout lab run: %s\n", scenario.error().message.c_str());
        return exit_failure;
      }
      if (r->speed > 0) scenario->speed = r->speed;
      const auto warmup = parse_span(r->warmup);
      if (!warmup) {
        std::fprintf(stderr, "blackout lab run: --warmup: %s\n", warmup.error().message.c_str());
        return exit_failure;
      }
      const bool was_up = lab.status().up();
      if (!was_up)
        if (auto done = lab.up(print_progress); !done) {
          std::fprintf(stderr, "blackout lab run: %s\n", done.error().message.c_str());
          return exit_failure;
        }
      lab::RunOptions options;
      options.out_dir = r->out.empty() ? std::filesystem::path("var/lab-runs") / scenario->name : std::filesystem::path(r->out);
      options.blackout_binary = self_path();
      options.warmup = *warmup;
      print_progress("playing " + scenario->name + " (" + scenario->description + ") at " +
                     std::to_string(static_cast<int>(scenario->speed)) +
                     " story seconds per second: " + format_duration(scenario->duration) + " of story in " +
                     format_duration(scenario->lab_time(scenario->duration)));
      auto played = lab::play_scenario(lab, *scenario, options, print_progress);
      if (!was_up && !r->keep) (void)lab.down([](const std::string&) {});
      if (!played) {
        std::fprintf(stderr, "blackout lab run: %s\n", played.error().message.c_str());
        return exit_failure;
      }
      print_progress("results, monitor log, ground truth and score are in " + options.out_dir.string());
      return score_run_dir(options.out_dir, true);
    }
    if (*up) {
      if (auto done = lab.up(print_progress); !done) {
        std::fprintf(stderr, "blackout lab up: %s\n", done.error().message.c_str());
        return exit_failure;
      }
      print_progress("lab " + lab.name() + " is up: run things in it with `ip netns exec " + lab.ns("vantage") + " ...`");
      return exit_ok;
    }
    if (*down) {
      if (auto done = lab.down(print_progress); !done) {
        std::fprintf(stderr, "blackout lab down: %s\n", done.error().message.c_str());
        return exit_failure;
      }
      return exit_ok;
    }
    const lab::LabStatus s = lab.status();
    std::printf("lab %s: %s\n", lab.name().c_str(),
                s.up()       ? "up"
                : s.absent() ? "down"
                             : "partly there (run `blackout lab down`)");
    std::printf("namespaces: %zu of %zu present\n", s.namespaces_present.size(), lab::lab_roles.size());
    for (const auto& missing : s.namespaces_missing)
      if (!s.absent()) std::printf("  missing %s\n", missing.c_str());
    std::printf("processes: %zu running, %zu gone\n", s.running.size(), s.dead.size());
    for (const auto& d : s.running) std::printf("  %-18s pid %d\n", d.name.c_str(), static_cast<int>(d.pid));
    for (const auto& d : s.dead) std::printf("  %-18s gone (was pid %d)\n", d.name.c_str(), static_cast<int>(d.pid));
    if (!s.absent()) std::printf("bgp: %s\n", s.bgp.c_str());
    return s.up() ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
