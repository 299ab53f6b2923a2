#include <algorithm>
#include <cstdio>
#include <iostream>
#include <tuple>

#include "core/common/partitioner.h"
#include "core/common/time.h"
#include "core/engine/partition_processor.h"
#include "io/replay/replay_runner.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"

namespace segd::segctl {

int replay_main(int argc, char** argv) {
  using service::FlagSpec;
  const CommandSpec spec{
      "segctl replay --input FILE [--input FILE ...] --state-dir DIR [--rules FILE] "
      "[--output FILE] [--dead-letter FILE] [--batch-size N] [--batch-timers N]\n"
      "                     [--partitions N] [--refit-every DURATION] [--cache-customers N]\n"
      "                     [--evaluate-all-rules]",
      "Replays JSONL events through the engine into the RocksDB state in DIR and writes the\n"
      "segment changes as JSONL. A summary goes to stderr. Running again on the same state dir\n"
      "continues after the last committed line; output files are cut back to what was committed,\n"
      "so a killed replay restarted gives byte-identical output.",
      {{"input", "events file, JSONL; '-' reads stdin (repeatable)", FlagSpec::Value::kYes, true},
       {"state-dir", "RocksDB state directory (created if missing)"},
       {"rules", "segment rules YAML (default: no segments)"},
       {"output", "segment changes JSONL (default: '-' = stdout)"},
       {"dead-letter", "rejected lines with their reason, JSONL (default: not written)"},
       {"batch-size", "input lines per committed batch (default: 1000)"},
       {"batch-timers",
        "timer firings per committed batch when many are due before one line (default: 5000)"},
       {"partitions", "engine partitions, murmur2(customer_id) as Kafka (default: 1)"},
       {"cache-customers",
        "customer states kept in memory per partition, as segd's engine.cache_customers "
        "(default: 200000)"},
       {"evaluate-all-rules",
        "evaluate every rule at every event, not only the rules the event's type can change: "
        "slower, the same output (a check of the engine)",
        FlagSpec::Value::kNo},
       {"refit-every",
        "refit the models every DURATION of stream time (e.g. 7d, 12h; at least 1h) and at the "
        "end, or off "
        "as segd's models.refit_every (default: off; stored versions are still used)"}}};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  io::ReplayOptions options;
  options.inputs = flags.all("input");
  if (std::ranges::find(options.inputs, std::string()) != options.inputs.end()) {
    return report({"bad_flag", "--input: must not be empty"}, 2);
  }
  auto state_dir = required_flag(flags, "state-dir");
  if (!state_dir) {
    return report(state_dir.error(), 2);
  }
  options.state_dir = *state_dir;
  for (auto [name, field, absent] :
       {std::tuple{"rules", &options.rules_file, ""}, std::tuple{"output", &options.output, "-"},
        std::tuple{"dead-letter", &options.dead_letter, ""}}) {
    auto path = path_flag(flags, name);
    if (!path) {
      return report(path.error(), 2);
    }
    *field = path->value_or(absent);
  }
  if (auto v = flags.get("batch-size")) {
    auto n = service::parse_int_flag("batch-size", *v);
    if (!n || *n < 1) {
      return report({"bad_flag", "--batch-size: must be a positive integer"}, 2);
    }
    options.batch_size = static_cast<size_t>(*n);
  }
  if (auto v = flags.get("batch-timers")) {
    auto n = service::parse_int_flag("batch-timers", *v);
    if (!n || *n < 1) {
      return report({"bad_flag", "--batch-timers: must be a positive integer"}, 2);
    }
    options.batch_timers = static_cast<size_t>(*n);
  }
  if (auto v = flags.get("cache-customers")) {
    auto n = service::parse_int_flag("cache-customers", *v);
    if (!n || *n < 1 || *n > core::PartitionProcessor::Options::kMaxCacheCapacity) {
      return report(
          {"bad_flag", "--cache-customers: must be an integer from 1 to " +
                           std::to_string(core::PartitionProcessor::Options::kMaxCacheCapacity)},
          2);
    }
    options.cache_customers = static_cast<size_t>(*n);
  }
  options.evaluate_all_rules = flags.has("evaluate-all-rules");
  if (auto v = flags.get("partitions")) {
    auto n = service::parse_int_flag("partitions", *v);
    if (!n || *n < 1 || *n > core::kMaxPartitions) {
      return report({"bad_flag", "--partitions: must be an integer from 1 to " +
                                     std::to_string(core::kMaxPartitions)},
                    2);
    }
    options.partitions = static_cast<int32_t>(*n);
  }
  if (auto v = flags.get("refit-every")) {
    auto every = core::parse_refit_every_ms(*v);
    if (!every) {
      return report({"bad_flag", "--refit-every: " + every.error().message}, 2);
    }
    options.refit_every_ms = *every;
  }
  options.process_exits_after = true;
  auto summary = io::run_replay(options, std::cin);
  if (!summary) {
    return report(summary.error(), summary.error().code == "bad_option" ? 2 : 1);
  }
  std::fprintf(stderr, "%s\n", io::summary_json(*summary).c_str());
  return 0;
}

}  // namespace segd::segctl
