#pragma once

#include <librdkafka/rdkafka.h>

namespace segd::io {

/// What the pipeline does with one message taken from the consumer.
enum class MessageKind {
  kError,         ///< A consumer error: logged, or fatal.
  kNotOwned,      ///< Of a partition a rebalance took away meanwhile: dropped (read again).
  kPartitionEnd,  ///< The partition's end was reached.
  kRecord,        ///< An input record.
};

/// Errors come before the ownership check: many concern no partition (a subscribed topic that
/// does not exist, a fatal client error) and carry a partition number that means nothing.
[[nodiscard]] inline MessageKind message_kind(rd_kafka_resp_err_t err, bool partition_owned) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    return MessageKind::kError;
  }
  if (!partition_owned) {
    return MessageKind::kNotOwned;
  }
  return err == RD_KAFKA_RESP_ERR__PARTITION_EOF ? MessageKind::kPartitionEnd
                                                 : MessageKind::kRecord;
}

}  // namespace segd::io
