// Pipeline: pausing consumption while the outbox is too full (an output outage must not fill the
// state dir's disk), and resuming it once the outbox drained.
#include <chrono>
#include <string>

#include "io/kafka/errors.h"
#include "io/log/log.h"
#include "io/pipeline/pipeline.h"

namespace segd::io {
namespace {

// How long a resume waits for librdkafka to move each partition's fetcher back to segd's
// position (rd_kafka_seek_partitions), so that nothing fetched before the pause is delivered.
constexpr int kSeekTimeoutMs = 5000;

// The first per-partition error librdkafka left in `partitions` after `what`, if any.
core::Result<void> first_partition_error(const rd_kafka_topic_partition_list_t& partitions,
                                         const std::string& what) {
  for (int i = 0; i < partitions.cnt; ++i) {
    if (const rd_kafka_topic_partition_t& tp = partitions.elems[i]; tp.err) {
      return std::unexpected(kafka::to_error(
          tp.err, what + " (" + tp.topic + "/" + std::to_string(tp.partition) + ")"));
    }
  }
  return {};
}

}  // namespace

void Pipeline::apply_backpressure() {
  const uint64_t pending = drainer_.pending();
  const size_t limit = config_.outbox_max_pending;
  const bool pause = paused_ ? pending > limit / 2 : pending >= limit;
  if (pause == paused_) {
    return;
  }
  // The state changes only once every assigned partition took it; otherwise the next loop
  // iteration tries again (a failure is logged once, not at every try).
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (const auto err = rd_kafka_assignment(consumer_.get(), &raw); err) {
    warn_backpressure_once(kafka::to_error(err, "assignment").message);
    return;
  }
  const kafka::PartitionListPtr assigned(raw);
  if (!pause) {
    if (auto sought = seek_to_positions(assigned.get()); !sought) {
      warn_backpressure_once(sought.error().message);
      return;
    }
  }
  ever_paused_ = ever_paused_ || pause;  // Even a pause that fails midway may reach some.
  if (auto set = set_fetching(assigned.get(), pause); !set) {
    warn_backpressure_once(set.error().message);
    return;
  }
  backpressure_failing_ = false;
  paused_ = pause;
  const auto now = std::chrono::steady_clock::now();
  const std::string counts = std::to_string(pending) + " changes pending in the outbox";
  if (pause) {
    paused_since_ = now;
    log(LogLevel::kWarn, "pipeline",
        counts + " (outbox.max_pending " + std::to_string(limit) +
            "): consumption paused until at most " + std::to_string(limit / 2) + " are");
  } else {
    const std::chrono::duration<double> paused_for = now - paused_since_;
    log(LogLevel::kInfo, "pipeline",
        counts + ": consumption resumed after " + std::to_string(paused_for.count()) + " s");
  }
  stats_.update([pause](PipelineSnapshot& s) { s.consumption_paused = pause; });
}

void Pipeline::warn_backpressure_once(const std::string& message) {
  if (!backpressure_failing_) {
    log(LogLevel::kWarn, "pipeline",
        std::string(paused_ ? "cannot resume" : "cannot pause") +
            " consumption (tried again every loop iteration): " + message);
  }
  backpressure_failing_ = true;
}

core::Result<void> Pipeline::set_fetching(rd_kafka_topic_partition_list_t* partitions,
                                          bool paused) {
  if (partitions == nullptr || partitions->cnt == 0) {
    return {};
  }
  const auto err = paused ? rd_kafka_pause_partitions(consumer_.get(), partitions)
                          : rd_kafka_resume_partitions(consumer_.get(), partitions);
  const std::string what = paused ? "pause partitions" : "resume partitions";
  if (err) {
    return std::unexpected(kafka::to_error(err, what));
  }
  return first_partition_error(*partitions, what);
}

core::Result<void> Pipeline::seek_to_positions(rd_kafka_topic_partition_list_t* partitions) {
  if (partitions == nullptr || partitions->cnt == 0) {
    return {};
  }
  // librdkafka before 2.1.0 could resume a partition past messages that a batch consume had
  // taken and a pause then dropped. Its own position is not trusted: each partition goes on right
  // after the last message segd received (or at its beginning, before the first).
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    const auto it = reading_.find({topic_index(tp.topic), tp.partition});
    tp.offset = it != reading_.end() && it->second.expected ? *it->second.expected
                                                            : RD_KAFKA_OFFSET_BEGINNING;
  }
  const std::string what = "seek to the positions read";
  if (rd_kafka_error_t* error =
          rd_kafka_seek_partitions(consumer_.get(), partitions, kSeekTimeoutMs)) {
    const core::Error e = kafka::to_error(rd_kafka_error_code(error), what);
    rd_kafka_error_destroy(error);
    return std::unexpected(e);
  }
  return first_partition_error(*partitions, what);
}

}  // namespace segd::io
