#pragma once
// Building blocks of the daemon scenarios: generate and produce input with segctl, compute the
// replay reference, and compare what segd published and stored with it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "integration/daemon/harness.h"
#include "support/devbroker.h"

namespace segd::test {

/// Starts a dev broker with `brokers` brokers and the topics NAME:PARTITIONS in `topics`.
/// Reports a gtest failure and returns nullopt when it cannot start.
[[nodiscard]] std::optional<DevBroker> start_broker(int32_t brokers,
                                                    const std::vector<std::string>& topics);

/// A one-broker dev broker with topics_with(partitions), every line of `input` produced to
/// `events` (segctl produce). Reports a gtest failure and returns nullopt when either fails.
[[nodiscard]] std::optional<DevBroker> start_broker_with_events(const std::string& input,
                                                                int32_t partitions);

/// Sends a dev broker control command (README "Dev broker") and expects `ok`.
void control(DevBroker& broker, const std::string& command);

/// Two brokers with one-partition `events`, `segment-changes` and `segd-dead-letters`, each led
/// by broker 1 except `down_topic`, led by broker 2, which is down (`broker-up 2` brings it
/// back); segd's group (`segd-it`) is coordinated by broker 1. Nullopt after a gtest failure.
[[nodiscard]] std::optional<DevBroker> start_broker_with_topic_down(const std::string& down_topic);

/// The topics of a one-input scenario, NAME:PARTITIONS each: `events`, `segment-changes` and
/// `segd-dead-letters`, with `partitions` partitions.
[[nodiscard]] std::vector<std::string> topics_with(int32_t partitions);

/// What `segctl gen` should write.
struct GenSpec {
  int64_t customers = 0;
  int64_t events = 0;
  uint64_t seed = 0;
  double bad_rate = 0.0;
};

/// Runs `segctl gen` into `path`. Blocks (bounded). Errors: as run_tool.
[[nodiscard]] core::Result<void> gen_events(const GenSpec& spec, const std::string& path);

/// Runs `segctl produce` of every line of `path` to `topic`, with `extra_args` (for example
/// {"--property", "K=V"} or {"--format", "protobuf"}). Errors: as run_tool.
[[nodiscard]] core::Result<void> produce_file(const std::string& bootstrap,
                                              const std::string& topic,
                                              const std::string& path,
                                              const std::vector<std::string>& extra_args = {});

/// One message to produce to an explicit partition.
struct Message {
  int32_t partition = 0;
  std::string key;
  std::optional<std::string> value;  ///< nullopt: a null value (a tombstone).
};

/// Produces `messages` in order with one idempotent producer and waits for every delivery
/// report. Errors: `kafka.*`.
[[nodiscard]] core::Result<void> produce_messages(const std::string& bootstrap,
                                                  const std::string& topic,
                                                  const std::vector<Message>& messages);

/// Splits the lines of `path` into `chunks` files of consecutive lines (order kept) under
/// `scratch`, and returns their paths.
[[nodiscard]] std::vector<std::string> split_file(const std::string& path,
                                                  int chunks,
                                                  const TempDir& scratch);

/// An input file split in two by event type (see split_by_type).
struct SplitInput {
  std::string clicks_path;
  std::string purchases_path;
  int64_t clicks = 0;  ///< Non-blank lines, as segctl produce counts them.
  int64_t purchases = 0;
};

/// Writes purchases and refunds of `input` to `dir/purchases.jsonl` and every other line
/// (malformed ones too) to `dir/clicks.jsonl`, in input order.
[[nodiscard]] SplitInput split_by_type(const std::string& input, const TempDir& dir);

/// Runs `segctl export --state-dir` and returns its stdout. Errors: as run_tool.
[[nodiscard]] core::Result<std::string> export_state(const std::string& state_dir,
                                                     const TempDir& scratch);

/// The uninterrupted, offline result segd must match.
struct Reference {
  std::set<std::string> changes;  ///< `segctl replay` output lines.
  std::string export_text;        ///< `segctl export` of the replay's state dir.
};

/// Replays `input` with `--partitions partitions` and config/segments.yaml into a state dir
/// under `scratch`, then exports it. Errors: as run_tool.
[[nodiscard]] core::Result<Reference> make_reference(const std::string& input,
                                                     int32_t partitions,
                                                     const TempDir& scratch);

/// The payload format of segd's output topic (kafka.output_format).
enum class OutputFormat { kJson, kProtobuf };

/// Compares segd's published `output_topic` (deduplicated by event_id) and its exported state
/// with `reference`, and checks that its outbox is empty (delivered records deleted). Protobuf
/// records are compared as their JSON form. Returns an empty string when everything matches,
/// else what differs.
[[nodiscard]] std::string compare_with_reference(
    const Reference& reference,
    const std::string& bootstrap,
    int32_t output_partitions,
    const std::string& state_dir,
    const TempDir& scratch,
    OutputFormat format = OutputFormat::kJson,
    const std::string& output_topic = "segment-changes");

/// Polls `segment-changes` (partitions 0..output_partitions-1) until it holds `want` distinct
/// SegmentChanges or `timeout` passes; returns how many it had last.
[[nodiscard]] size_t wait_for_changes(const std::string& bootstrap,
                                      int32_t output_partitions,
                                      size_t want,
                                      std::chrono::seconds timeout);

/// The value of `series` (a metric name with its labels, as exported: `segd_batches_total` or
/// `segd_events_consumed_total{topic="events"}`) in a /metrics text; nullopt when it has none.
[[nodiscard]] std::optional<double> series_value(std::string_view metrics_text,
                                                 std::string_view series);

/// series_value() on segd's /metrics; nullopt when unreadable.
[[nodiscard]] std::optional<double> metric_value(const SegdProcess& segd, std::string_view series);

/// Polls metric_value() until it is at least `at_least`; false when `timeout` passes first.
[[nodiscard]] bool wait_for_metric(const SegdProcess& segd,
                                   std::string_view series,
                                   double at_least,
                                   std::chrono::milliseconds timeout);

/// Runs segd --exit-at-end with `config_path` and `flags` to completion (bounded by `timeout`),
/// stderr in `scratch/<log_name>`. Returns its summary. Errors: `timeout`, `exit_code` (with the
/// log tail), `no_summary`/`bad_summary`.
[[nodiscard]] core::Result<Summary> run_segd_to_end(const std::string& config_path,
                                                    const TempDir& scratch,
                                                    const std::string& log_name,
                                                    std::chrono::seconds timeout,
                                                    const std::vector<std::string>& flags = {});

}  // namespace segd::test
