#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace segd::io {

/// Per input topic accounting: consumed = processed + duplicates + dead-lettered. A message is
/// counted once segd is done with it: one the event-time merge still holds when its partition
/// is revoked or segd stops is read again, and counted, later.
struct TopicCounts {
  int64_t consumed = 0;
  int64_t processed = 0;
  int64_t duplicates = 0;
  std::map<std::string, int64_t> dead_lettered;  ///< By reason.
  /// Messages the broker removed (retention) before segd read them: never consumed, so outside
  /// the equation above; their events are missing from the state.
  int64_t lost_to_retention = 0;

  bool operator==(const TopicCounts&) const = default;
};

/// A consistent copy of the pipeline's counters.
struct PipelineSnapshot {
  std::map<std::string, TopicCounts> topics;
  std::map<std::string, int64_t> changes;          ///< "<segment>/<enter|exit>" -> count.
  std::map<std::string, int64_t> segment_members;  ///< Persisted member counts per segment.
  int64_t batches = 0;
  int64_t timers_fired = 0;
  int64_t outbox_published = 0;
  int64_t outbox_publish_errors = 0;
  int64_t outbox_pending = 0;
  int64_t rule_reloads = 0;                   ///< Rule reloads applied (SIGHUP or the admin API).
  int64_t rule_reloads_rejected = 0;          ///< Rule reloads that kept the current rules.
  std::map<int32_t, int64_t> partition_lag;   ///< Kafka partition -> high watermark lag.
  std::map<int32_t, int64_t> stream_time_ms;  ///< Engine partition -> stream time.
  int64_t model_version = 0;
  double last_refit_seconds = 0.0;
  bool assigned = false;
  bool caught_up = false;
  bool consumption_paused = false;     ///< While the outbox is too full (outbox.max_pending).
  std::set<int32_t> owned_partitions;  ///< Assigned to this instance now.
  int32_t partition_count = 0;         ///< Of the input topics; 0 before the first assignment.
};

/// Whether this instance owns `customer_id`'s partition now, by `s`, and has caught up with its
/// input. Errors: `not_ready` (no partitions assigned yet, or the assigned ones not yet read to
/// their end since the assignment), `not_assigned` (another instance of the group owns it; the
/// message names the partition).
[[nodiscard]] core::Result<void> check_owned(const PipelineSnapshot& s,
                                             std::string_view customer_id);

/// The event time of an erasure event that DELETE writes at wall-clock time `now_ms`: on the
/// owner of the customer's partition (by `s`), just past that partition's stream time; elsewhere,
/// or before the partition's first event, `now_ms`. The live run applies the erasure after every
/// event it has processed so far, and a rebuild merges the input topics by event time: an erasure
/// dated before events already processed (dated ahead of the clock, or a skewed clock) came
/// before them in a rebuild, which brought the customer back; one dated at a clock ahead of the
/// stream (a backlog, historical input) moved the partition's stream time up to the clock, firing
/// every timer of its customers up to then and, with refits on, a model refit. Pure.
[[nodiscard]] int64_t erasure_time_ms(const PipelineSnapshot& s,
                                      std::string_view customer_id,
                                      int64_t now_ms);

/// Counters shared between the pipeline thread (writer), the outbox drainer and the admin server
/// (readers). Guarded by one mutex: the pipeline adds its counts once per committed batch, so a
/// reader sees batch-consistent accounting; readers take a copy once per scrape.
class PipelineStats {
 public:
  template <typename Fn>
  void update(Fn&& fn) {
    std::lock_guard lock(mutex_);
    fn(snapshot_);
  }
  [[nodiscard]] PipelineSnapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

 private:
  mutable std::mutex mutex_;
  PipelineSnapshot snapshot_;
};

}  // namespace segd::io
