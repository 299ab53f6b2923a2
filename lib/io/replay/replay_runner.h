#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/engine/partition_processor.h"

namespace segd::io {

/// `segctl replay` options (see the README for the CLI).
struct ReplayOptions {
  std::vector<std::string> inputs;  ///< JSONL files, read in order; "-" is standard input.
  std::string state_dir;
  std::string rules_file;    ///< Empty: no segments.
  std::string output = "-";  ///< SegmentChange JSONL; "-" is standard output.
  std::string dead_letter;   ///< Rejected lines as JSONL; empty: not written.
  size_t batch_size = 1000;  ///< Input lines per committed batch. Default: 1000.
  /// Timer firings per committed batch in a burst of timers due before one line. Default: 5000.
  size_t batch_timers = 5000;
  int32_t partitions = 1;  ///< Engine partitions (murmur2 of customer_id). Default: 1.
  /// Customer states cached per partition. Default: the engine's (200k).
  size_t cache_customers = core::PartitionProcessor::Options{}.cache_capacity;
  /// Every rule at every event (PartitionProcessor::Options::evaluate_all_rules). Default: off.
  bool evaluate_all_rules = false;
  /// Model refits on this stream-time cadence (and once at the end); 0 = none. Default: none.
  int64_t refit_every_ms = 0;
  /// The process exits right after the replay (segctl does): the engine's cached customer
  /// states are then left to the exit rather than freed one by one, which took 0.15 s for 100k
  /// customers (each state's memory read back into the cache only to be freed). Default: off.
  bool process_exits_after = false;
};

/// What a replay did; printed as JSON on stderr by segctl.
struct ReplaySummary {
  int64_t read = 0;     ///< Lines read in this run (after the already-committed ones).
  int64_t skipped = 0;  ///< Lines skipped because an earlier run had committed them.
  int64_t processed = 0;
  int64_t duplicates = 0;
  int64_t dead_lettered = 0;
  std::map<std::string, int64_t> dead_letter_reasons;
  int64_t changes = 0;
  int64_t timers_fired = 0;
  int64_t model_version = 0;  ///< The newest model version at the end.
};

/// Replays event lines through the engine into the RocksDB state in `state_dir`, committing every
/// `batch_size` lines (state, timers, stream times, input position and output lengths in one
/// WriteBatch). A second run on the same state dir continues after the last committed line and
/// first truncates the output files to their committed length, so a run killed at any point and
/// started again gives byte-identical output. The paths of the files those lengths belong to are
/// committed with them, and a later run given other files fails before opening any (see
/// check_committed_output()). Inputs and outputs are checked first (see
/// check_replay_files()): an input that does not open, or an output that is an input or the
/// other output, fails before any file or the state dir is touched. Errors: storage, I/O,
/// rules, option problems.
[[nodiscard]] core::Result<ReplaySummary> run_replay(const ReplayOptions& options,
                                                     std::istream& standard_input);

/// The summary as one JSON object.
[[nodiscard]] std::string summary_json(const ReplaySummary& summary);

}  // namespace segd::io
