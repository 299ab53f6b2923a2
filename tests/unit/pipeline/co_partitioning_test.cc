#include "io/pipeline/co_partitioning.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

TEST(CoPartitioningTest, TopicsWithOneCountOnAFreshStateDirGiveIt) {
  EXPECT_EQ(common_partition_count({{"clicks", 8}, {"purchases", 8}}, std::nullopt), 8);
  EXPECT_EQ(common_partition_count({{"events", 3}}, std::nullopt), 3);
}

TEST(CoPartitioningTest, TheCountTheStateDirWasBuiltWithIsAccepted) {
  EXPECT_EQ(common_partition_count({{"clicks", 8}, {"purchases", 8}}, 8), 8);
}

TEST(CoPartitioningTest, TopicsWithDifferentCountsAreRefusedNamingBoth) {
  const auto r = common_partition_count({{"clicks", 8}, {"purchases", 8}, {"erasures", 4}}, 8);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "partitioning");
  EXPECT_EQ(r.error().message,
            "kafka.input_topics: every input topic must have the same partition count (a "
            "customer's events of all topics are processed in one partition), but 'clicks' has 8 "
            "and 'erasures' has 4");
}

TEST(CoPartitioningTest, ACountOtherThanTheStateDirsIsRefused) {
  const auto r = common_partition_count({{"clicks", 12}, {"purchases", 12}}, 8);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "partitioning");
  EXPECT_EQ(r.error().message.rfind("state.dir: the state dir was built from input topics with 8 "
                                    "partitions, but 'clicks' now has 12; ",
                                    0),
            0u)
      << r.error().message;
}

}  // namespace
}  // namespace segd::io
