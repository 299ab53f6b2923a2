#include "io/pipeline/retention_gap.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

constexpr int64_t kUnknown = -1001;  // RD_KAFKA_OFFSET_INVALID

TEST(RetentionGapTest, CountsTheMessagesBelowTheNewLogStartThatWereNotRead) {
  // Read up to 4999; the log now starts at 7000 and the next message is its first.
  EXPECT_EQ(lost_to_retention(5000, 7000, 7000), 2000);
  // The log starts at 7000, but librdkafka went on further on (a compacted record at 7000).
  EXPECT_EQ(lost_to_retention(5000, 7003, 7000), 2000);
}

// A partition whose unread messages were all removed, with nothing new since: no message comes,
// only the end at the new log start. The loss is counted there, not when a message next arrives.
TEST(RetentionGapTest, CountsAtThePartitionsEndWhenEveryUnreadMessageWasRemoved) {
  EXPECT_EQ(lost_to_retention(5000, 9000, 9000), 4000);
}

TEST(RetentionGapTest, OffsetsSkippedAboveTheLogStartAreNoLoss) {
  // Transaction markers or compacted records between the previous message and this one.
  EXPECT_EQ(lost_to_retention(5000, 5002, 0), 0);
  EXPECT_EQ(lost_to_retention(5000, 5002, 5000), 0);
  // The end past a transaction marker.
  EXPECT_EQ(lost_to_retention(5000, 5001, 4000), 0);
}

TEST(RetentionGapTest, NothingIsLostWhenTheOffsetIsTheExpectedOneOrBelowIt) {
  EXPECT_EQ(lost_to_retention(5000, 5000, 0), 0);
  EXPECT_EQ(lost_to_retention(5000, 5000, 5000), 0);
  // Truncated or recreated: the partition now begins below the position (logged, not counted).
  EXPECT_EQ(lost_to_retention(5000, 0, 0), 0);
  EXPECT_EQ(lost_to_retention(5000, 120, 120), 0);
}

TEST(RetentionGapTest, AnUnknownLogStartCountsNothing) {
  EXPECT_EQ(lost_to_retention(5000, 7000, kUnknown), 0);
}

}  // namespace
}  // namespace segd::io
