#pragma once
// Helpers for the segd daemon integration tests: temp dirs, running segctl and segd as child
// processes, parsing segd's exit summary, and reading topics back with their headers.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {

/// `SEGD_BIN_DIR/<name>`.
[[nodiscard]] std::string bin_path(std::string_view name);
/// `SEGD_SOURCE_DIR/<relative>`.
[[nodiscard]] std::string source_path(std::string_view relative);

/// How often `needle` occurs in `text` (overlapping occurrences included).
[[nodiscard]] size_t occurrences(std::string_view text, std::string_view needle);
/// Lines of `text` without '\n'; a trailing empty line is dropped.
[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);
/// Lines [begin, end) of `lines` (as many as there are), each with its '\n'.
[[nodiscard]] std::string join_lines(const std::vector<std::string>& lines,
                                     size_t begin,
                                     size_t end);

/// Runs `argv` to completion with stdout to `stdout_path` (or /dev/null when empty), stderr
/// captured. Blocks up to `timeout` (then SIGKILLs). Errors: `spawn`, `timeout`, `exit_code`
/// (message holds the command, the code and the stderr tail).
[[nodiscard]] core::Result<void> run_tool(const std::vector<std::string>& argv,
                                          const std::string& stdout_path,
                                          std::chrono::seconds timeout);

/// One input topic's counters from `segd: summary`.
struct TopicSummary {
  int64_t consumed = 0;
  int64_t processed = 0;
  int64_t duplicates = 0;
  std::map<std::string, int64_t> dead_lettered;
  int64_t lost_to_retention = 0;

  /// Sum of dead_lettered over all reasons.
  [[nodiscard]] int64_t dead_lettered_total() const;
  bool operator==(const TopicSummary&) const = default;
};

/// The JSON of segd's `segd: summary {...}` stderr line.
struct Summary {
  std::map<std::string, TopicSummary> topics;
  int64_t changes = 0;
  int64_t outbox_published = 0;
  int64_t timers_fired = 0;
  int64_t batches = 0;  ///< Batches committed.
  bool operator==(const Summary&) const = default;
};

/// Finds the last `segd: summary ` line in `stderr_text` and parses it. Errors: `no_summary`,
/// `bad_summary` (malformed JSON or unexpected shape).
[[nodiscard]] core::Result<Summary> parse_summary(std::string_view stderr_text);

/// How to run segd against a dev broker.
struct SegdOptions {
  std::string brokers;
  std::string state_dir;
  std::vector<std::string> input_topics;
  std::string input_format = "json";   ///< Payload format of every input topic. Default: json
  std::string output_format = "json";  ///< kafka.output_format. Default: json
  std::string group_id = "segd-it";    // Default: segd-it
  std::string rules_file;              // Default: SEGD_SOURCE_DIR/config/segments.yaml
  /// Extra librdkafka properties. Default: reconnect.backoff.max.ms=1000
  std::map<std::string, std::string> rdkafka = {{"reconnect.backoff.max.ms", "1000"}};
  std::optional<int64_t> batch_max_events;  ///< engine.batch_max_events; segd's default if unset
  std::optional<int64_t> batch_max_timers;  ///< engine.batch_max_timers; segd's default if unset
  /// models.refit_every. Live refits train on whatever the instance has consumed when a boundary
  /// passes, which a replay does not reproduce; tests that compare with replay keep them off.
  std::string refit_every = "off";  // Default: off
};

/// Whether segd stops by itself at the end of its input.
enum class ExitMode { kAtEnd, kOnSignal };

/// Writes the YAML config file for `options` into `dir` and returns its path. Errors: `write`.
[[nodiscard]] core::Result<std::string> write_segd_config(const SegdOptions& options,
                                                          const TempDir& dir);

/// segd running as a child, its stderr in a file so it can be read after exit.
struct SegdProcess {
  Process process;
  std::string stderr_path;

  /// Waits for exit (bounded). Returns the exit code. Errors: as Process::wait.
  [[nodiscard]] core::Result<int> wait(std::chrono::milliseconds timeout) {
    return process.wait(timeout);
  }
  /// What segd wrote to stderr so far.
  [[nodiscard]] std::string log() const { return read_text(stderr_path); }
};

/// The admin port segd logged (`admin: listening on http://127.0.0.1:PORT`); 0 before it did.
[[nodiscard]] uint16_t admin_port(const SegdProcess& segd);

/// Waits until segd's stderr contains `needle`, polling every 20 ms. Errors: `timeout`,
/// `exited` (segd ended first; the message holds the log tail).
[[nodiscard]] core::Result<void> wait_for_log(SegdProcess& segd,
                                              std::string_view needle,
                                              std::chrono::milliseconds timeout);

/// Starts segd with `--config config_path [--exit-at-end] flags...`, stderr to `stderr_path`.
[[nodiscard]] core::Result<SegdProcess> start_segd(const std::string& config_path,
                                                   ExitMode mode,
                                                   const std::string& stderr_path,
                                                   const std::vector<std::string>& flags = {});

/// A consumed record with its headers (in order).
struct HeadedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;  ///< nullopt: a null key.
  std::string value;
  bool null_value = false;  ///< A null value (a tombstone); `value` is then empty.
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first header named `name`, or nullopt.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// Reads partitions 0..partitions-1 of `topic` from the beginning to their end (assign, no
/// group). Blocks up to `timeout`. Errors: `kafka.*`, `timeout`.
[[nodiscard]] core::Result<std::vector<HeadedRecord>> read_topic(
    const std::string& bootstrap,
    const std::string& topic,
    int32_t partitions,
    std::chrono::seconds timeout = std::chrono::seconds(60));

/// The raw value of top-level-first field `name` in a flat JSON line: a string's contents
/// (unescaped only trivially) or a number's text. Nullopt when missing.
[[nodiscard]] std::optional<std::string> json_field(std::string_view line, std::string_view name);

/// What the published SegmentChanges look like once checked.
struct ChangeCheck {
  std::set<std::string> distinct;     ///< First copy of each event_id.
  int64_t duplicates = 0;             ///< Records beyond the first per event_id.
  std::vector<std::string> problems;  ///< Contract violations, human-readable (first 20).
};

/// Dedups `records` by event_id and checks each: key == customer_id; headers segment, change,
/// model_version equal the JSON fields; every duplicate byte-identical to its first copy.
[[nodiscard]] ChangeCheck check_changes(const std::vector<HeadedRecord>& records);

/// Empty when `got` equals `want` as sets; otherwise a description of the difference with up to
/// three examples each way.
[[nodiscard]] std::string diff_sets(const std::set<std::string>& want,
                                    const std::set<std::string>& got);

/// Empty when equal; otherwise where two texts first differ (line number and both lines).
[[nodiscard]] std::string diff_text(const std::string& want, const std::string& got);

}  // namespace segd::test
