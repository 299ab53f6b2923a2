// Pipeline: pausing consumption while the outbox is too full (an output outage must not fill the
// state dir's disk), and resuming it once the outbox drained.
#include <chrono>
#include <string>

#include "io/kafka/errors.h"
#include "io/log/log.h"
#include "io/pipeline/pipeline.h"

namespace segd::io {

void Pipeline::apply_backpressure() {
  const uint64_t pending = drainer_.pending();
  const size_t limit = config_.outbox_max_pending;
  const bool pause = paused_ ? pending > limit / 2 : pending >= limit;
  if (pause == paused_) {
    return;
  }
  paused_ = pause;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (const auto err = rd_kafka_assignment(consumer_.get(), &raw); err) {
    log(LogLevel::kWarn, "pipeline", kafka::to_error(err, "assignment").message);
  } else {
    const kafka::PartitionListPtr assigned(raw);
    set_fetching(assigned.get());
  }
  const std::string counts = std::to_string(pending) + " changes pending in the outbox";
  if (pause) {
    paused_since_ = loop_now_;
    log(LogLevel::kWarn, "pipeline",
        counts + " (outbox.max_pending " + std::to_string(limit) +
            "): consumption paused until at most " + std::to_string(limit / 2) + " are");
  } else {
    const std::chrono::duration<double> paused_for = loop_now_ - paused_since_;
    log(LogLevel::kInfo, "pipeline",
        counts + ": consumption resumed after " + std::to_string(paused_for.count()) + " s");
  }
  stats_.update([pause](PipelineSnapshot& s) { s.consumption_paused = pause; });
}

void Pipeline::set_fetching(rd_kafka_topic_partition_list_t* partitions) {
  if (partitions == nullptr || partitions->cnt == 0) {
    return;
  }
  const auto err = paused_ ? rd_kafka_pause_partitions(consumer_.get(), partitions)
                           : rd_kafka_resume_partitions(consumer_.get(), partitions);
  if (err) {
    log(LogLevel::kWarn, "pipeline",
        kafka::to_error(err, paused_ ? "pause partitions" : "resume partitions").message);
  }
}

}  // namespace segd::io
