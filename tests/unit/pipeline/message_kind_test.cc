#include "io/pipeline/message_kind.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

TEST(MessageKindTest, ErrorsAreErrorsWhateverPartitionTheyCarry) {
  // A subscribed topic that does not exist, or a fatal error, comes with a partition number
  // (-1 or 0) this instance does not own.
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, false), MessageKind::kError);
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR__FATAL, false), MessageKind::kError);
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED, true), MessageKind::kError);
}

TEST(MessageKindTest, RecordsAndEndsOfPartitionsNoLongerOwnedAreDropped) {
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR_NO_ERROR, false), MessageKind::kNotOwned);
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR__PARTITION_EOF, false), MessageKind::kNotOwned);
}

TEST(MessageKindTest, OwnedRecordsAndEndsOfPartitions) {
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR_NO_ERROR, true), MessageKind::kRecord);
  EXPECT_EQ(message_kind(RD_KAFKA_RESP_ERR__PARTITION_EOF, true), MessageKind::kPartitionEnd);
}

}  // namespace
}  // namespace segd::io
