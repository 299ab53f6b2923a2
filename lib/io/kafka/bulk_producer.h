#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "io/kafka/conf.h"

namespace segd::io::kafka {

/// Settings for produce_jsonl().
struct BulkProduceConfig {
  std::string brokers;  // bootstrap.servers, required
  std::string topic;    // required
  /// librdkafka properties applied after ours (they win), for example {"linger.ms", "5"}.
  Properties rdkafka_overrides;
  /// Upper bound on waiting for the last delivery reports. Default: 60s
  std::chrono::milliseconds flush_timeout{60000};
  /// Field whose string value becomes the message key. Default: customer_id
  std::string key_field = "customer_id";

  bool operator==(const BulkProduceConfig&) const = default;
};

/// What happened to the lines of one produce_jsonl() call.
struct ProduceStats {
  int64_t produced = 0;     ///< Messages handed to librdkafka (one per non-blank line).
  int64_t delivered = 0;    ///< Acknowledged by the broker.
  int64_t failed = 0;       ///< Failed delivery reports, plus any still queued at the timeout.
  int64_t null_keys = 0;    ///< Lines without a usable key, produced with a null key.
  int64_t blank_lines = 0;  ///< Empty or whitespace-only lines, skipped.
  int64_t sent_as_is = 0;   ///< Lines the LineEncoder could not convert, produced unchanged.
  std::string first_error;  ///< Description of the first failure, empty when failed == 0.
  /// A fatal producer error (idempotence broken) or an input line longer than
  /// core::kMaxTextLineBytes stopped the run: the lines after the first `produced` were not
  /// read (that too-long line is the last produced, failed), and every produced line not
  /// delivered counts as failed; first_error is the fatal error, or the line's.
  bool stopped = false;

  bool operator==(const ProduceStats&) const = default;
};

/// Turns a line into a message payload (for example a JSON event into its protobuf form), or
/// nullopt when it cannot, and the line goes as it is.
using LineEncoder = std::function<std::optional<std::string>(std::string_view line)>;

/// The librdkafka properties produce_jsonl() creates its producer with: its throughput defaults
/// and idempotence, then `config.rdkafka_overrides`. Pure.
[[nodiscard]] Properties bulk_producer_properties(const BulkProduceConfig& config);

/// Checks that `overrides` (BulkProduceConfig::rdkafka_overrides) leave alone what
/// produce_jsonl() rests on: `partitioner` (murmur2_random places each key where segd and the
/// Java client look for it) and `bootstrap.servers` / `metadata.broker.list` (the brokers are
/// BulkProduceConfig::brokers, segctl produce's --brokers). Errors: `kafka.bad_config`,
/// "NAME: cannot be overridden: WHY". Pure.
[[nodiscard]] core::Result<void> check_overrides(const Properties& overrides);

/// Produces every non-blank line of `lines` as one message to `config.topic` (the line itself,
/// or what `encode` makes of it when given), keyed by the line's top-level `config.key_field`
/// string (null key when absent), with the murmur2_random
/// partitioner (Java-compatible placement; see core::partition_for_key), an idempotent producer,
/// and batching tuned for throughput. Blocks until every delivery report arrived or
/// `flush_timeout` passed. Per-message failures (rejected, undeliverable, timed out) are counted
/// in the stats with the first reason, not returned as errors, and so is a fatal (idempotence)
/// producer error, which stops the run (ProduceStats::stopped) with what was delivered by then
/// counted. A trailing '\r' is stripped. Lines are read in bounded memory: one longer than the
/// producer's message.max.bytes is counted as failed without being read whole, and one longer
/// than core::kMaxTextLineBytes stops the run. Errors: `kafka.bad_config` (also from
/// check_overrides()), `kafka.create_failed` and `kafka.<NAME>` (setup). Not thread-safe with
/// respect to `lines`.
///
/// `stop`, when given, is checked before each line and while librdkafka's queue is full: once it
/// is nonzero (a signal handler sets it), no more lines are read, what was queued is flushed as
/// above, and the stats say `stopped`.
[[nodiscard]] core::Result<ProduceStats> produce_jsonl(const BulkProduceConfig& config,
                                                       std::istream& lines,
                                                       const LineEncoder& encode = {},
                                                       const std::atomic<int>* stop = nullptr);

}  // namespace segd::io::kafka
