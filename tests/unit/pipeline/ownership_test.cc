#include <gtest/gtest.h>

#include "core/common/partitioner.h"
#include "io/pipeline/pipeline_stats.h"

namespace segd::io {
namespace {

// The first id "c<n>" that murmur2 puts on `partition` of `count`.
std::string customer_on(int32_t partition, int32_t count) {
  for (int n = 0;; ++n) {
    std::string id = "c" + std::to_string(n);
    if (core::partition_for_key(id, count).value() == partition) {
      return id;
    }
  }
}

TEST(OwnershipTest, NothingAssignedYetIsNotReady) {
  const auto r = check_owned(PipelineSnapshot{}, "c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_ready");
}

TEST(OwnershipTest, OnlyTheOwnedPartitionsCustomersAreThisInstances) {
  PipelineSnapshot s;
  s.assigned = true;
  s.partition_count = 4;
  s.owned_partitions = {0, 1};
  s.caught_up = true;
  EXPECT_TRUE(check_owned(s, customer_on(0, 4)).has_value());
  EXPECT_TRUE(check_owned(s, customer_on(1, 4)).has_value());
  const auto other = check_owned(s, customer_on(2, 4));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "not_assigned");
  EXPECT_EQ(other.error().message,
            "the customer's partition 2 is owned by another instance of the group");
}

// An owner still reading its partitions to their end answered from a state behind its input: a
// customer not read yet was 404 unknown_customer, another one's old values came back as 200, and
// a local erasure was undone by the events still to be read (existed:true, then the history back).
TEST(OwnershipTest, AnOwnerThatHasNotCaughtUpIsNotReady) {
  PipelineSnapshot s;
  s.assigned = true;
  s.partition_count = 4;
  s.owned_partitions = {0, 1, 2, 3};
  s.caught_up = false;
  const auto r = check_owned(s, "c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_ready");
  EXPECT_EQ(r.error().message,
            "catching up: the partitions assigned to this instance are still being read to their "
            "end; retry once /readyz answers 200");
  s.caught_up = true;
  EXPECT_TRUE(check_owned(s, "c1").has_value());
}

TEST(OwnershipTest, AMemberWithoutPartitionsOwnsNoCustomer) {
  PipelineSnapshot s;
  s.assigned = true;  // More members than partitions: this one got none.
  const auto r = check_owned(s, "c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_ready");
}

// DELETE dated its erasure event at the wall clock: events processed before it but dated later
// (ahead of the clock, or a skewed clock) came after it in a rebuild's merge by event time, and
// brought the erased customer back there.
TEST(OwnershipTest, AnErasureIsDatedPastItsPartitionsStreamTimeOnTheOwner) {
  PipelineSnapshot s;
  s.assigned = true;
  s.partition_count = 4;
  const std::string c0 = customer_on(0, 4);
  const std::string c1 = customer_on(1, 4);
  s.stream_time_ms = {{0, 5'000}, {1, 0}};
  EXPECT_EQ(erasure_time_ms(s, c0, 3'000), 5'001);  // behind the partition's stream time
  // The clock ahead of the stream (a backlog, historical input): dated at the clock, the erasure
  // moved the partition's stream time from January to December (an audit of the docs, which say
  // "just past the partition's stream time"), firing its customers' timers up to then.
  EXPECT_EQ(erasure_time_ms(s, c0, 9'000), 5'001);
  EXPECT_EQ(erasure_time_ms(s, c1, 3'000), 3'000);                 // no event in the partition yet
  EXPECT_EQ(erasure_time_ms(s, customer_on(2, 4), 3'000), 3'000);  // not owned: the clock
  EXPECT_EQ(erasure_time_ms(PipelineSnapshot{}, c0, 3'000), 3'000);
}

}  // namespace
}  // namespace segd::io
