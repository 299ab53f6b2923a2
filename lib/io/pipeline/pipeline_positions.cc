// Pipeline: where the reading of each input partition stands, and the position stored with
// each batch: messages done in the order they were read, what the merge still holds, and the
// jumps a partition's offsets make (retention, truncation).
#include <algorithm>
#include <string>

#include "io/log/log.h"
#include "io/pipeline/pipeline.h"
#include "io/pipeline/pipeline_internal.h"
#include "io/pipeline/retention_gap.h"

namespace segd::io {

using detail::source_name;

void Pipeline::mark_done(TopicPartition tp, int64_t offset) {
  // A partition's messages are done in the order they were read; the position stored may still
  // be an earlier event that the merge holds or process() has not reached (resume_offset).
  int64_t& next = next_offsets_[tp];
  next = std::max(next, offset + 1);
  if (auto moves = position_moves_.find(tp);
      moves != position_moves_.end() && moves->second.front().after == offset) {
    next = moves->second.front().next;
    moves->second.pop_front();
    if (moves->second.empty()) {
      position_moves_.erase(moves);
    }
  }
}

void Pipeline::move_position(TopicPartition tp, int64_t next) {
  std::optional<int64_t> last_read;
  if (auto m = mergers_.find(tp.second); m != mergers_.end()) {
    last_read = m->second.last_buffered(tp.first);
  }
  if (last_read) {
    position_moves_[tp].push_back({*last_read, next});
  } else {
    next_offsets_[tp] = next;
  }
}

int64_t Pipeline::resume_offset(TopicPartition tp, int64_t next) const {
  int64_t offset = next;
  if (auto m = mergers_.find(tp.second); m != mergers_.end()) {
    offset = std::min(offset, m->second.first_buffered(tp.first).value_or(next));
  }
  if (tp.second == releasing_partition_) {  // A refit's commit amid a release.
    for (const TopicMerger::Item& item : releasing_) {
      if (item.topic == tp.first) {
        offset = std::min(offset, item.offset);
        break;
      }
    }
  }
  return offset;
}

void Pipeline::check_offset(const rd_kafka_message_t& msg,
                            size_t index,
                            std::optional<int64_t>& expected) {
  if (!expected || msg.offset == *expected) {
    return;  // A partition started at its beginning expects whatever offset comes first.
  }
  const std::string& topic = config_.inputs[index].name;
  const std::string where = source_name(topic, msg.partition);
  if (msg.offset < *expected) {
    const bool at_end = msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    log(LogLevel::kError, "pipeline",
        where + (at_end ? " now ends at offset " : " now begins at offset ") +
            std::to_string(msg.offset) + ", below the position " + std::to_string(*expected) +
            " segd had reached: the partition was truncated or recreated; reading its messages "
            "from there");
  } else {
    int64_t low = -1;
    int64_t high = -1;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), topic.c_str(), msg.partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return;
    }
    const int64_t lost = lost_to_retention(*expected, msg.offset, low);
    if (lost == 0) {
      return;  // Offsets skipped for other reasons: the messages after them move the position.
    }
    batch_counts_[index].lost_to_retention += lost;
    log(LogLevel::kError, "pipeline",
        where + ": " + std::to_string(lost) + " messages (offsets " + std::to_string(*expected) +
            " to " + std::to_string(*expected + lost - 1) +
            ") were removed by the broker's retention before segd read them; their events are "
            "missing from the state. Reading on at offset " +
            std::to_string(msg.offset));
  }
  // Moved in the same commit as the count, so a restart does not count the loss again; below
  // the position, back down to the partition's new messages, which mark_done() alone would not
  // do while the old ones' offsets are higher.
  move_position({index, msg.partition}, msg.offset);
  expected = msg.offset;
}

}  // namespace segd::io
