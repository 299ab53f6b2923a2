#include "io/pipeline/partition_lag.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

constexpr int64_t kUnknown = -1001;  // RD_KAFKA_OFFSET_INVALID

TEST(PartitionLagTest, CountsFromThePositionOnceThereIsOne) {
  EXPECT_EQ(partition_lag(0, 500, 120, 100), 380);
  EXPECT_EQ(partition_lag(0, 500, 500, std::nullopt), 0);
  EXPECT_EQ(partition_lag(0, 500, 510, std::nullopt), 0);  // Never negative.
}

// A review saw 0 for partitions with 10,000 messages unread: before segd had read anything there,
// the lag was counted from the high watermark itself.
TEST(PartitionLagTest, BeforeTheFirstMessageCountsFromWhereReadingStarts) {
  EXPECT_EQ(partition_lag(0, 10000, kUnknown, std::nullopt), 10000);
  EXPECT_EQ(partition_lag(40, 10000, kUnknown, std::nullopt), 9960);  // Retention removed 40.
  EXPECT_EQ(partition_lag(0, 10000, kUnknown, 2500), 7500);           // Resumed at a stored offset.
}

TEST(PartitionLagTest, IsUnknownUntilTheHighWatermarkIs) {
  EXPECT_EQ(partition_lag(kUnknown, kUnknown, kUnknown, std::nullopt), std::nullopt);
  EXPECT_EQ(partition_lag(kUnknown, kUnknown, kUnknown, 2500), std::nullopt);
}

}  // namespace
}  // namespace segd::io
