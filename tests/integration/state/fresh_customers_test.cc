#include "io/state/fresh_customers.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace segd::io {
namespace {

using Ids = std::vector<std::string_view>;

TEST(FreshCustomersTest, AnswersNothingUntilStarted) {
  FreshCustomers fresh;
  EXPECT_FALSE(fresh.certainly_absent("c1"));
  fresh.written(Ids{"c1"});
  EXPECT_FALSE(fresh.certainly_absent("c2"));
}

TEST(FreshCustomersTest, OnlyIdsNeverWrittenAreCertainlyAbsent) {
  FreshCustomers fresh;
  fresh.start(10);
  EXPECT_TRUE(fresh.certainly_absent("c1"));
  EXPECT_TRUE(fresh.certainly_absent(""));
  fresh.written(Ids{"c1", "c2"});
  EXPECT_FALSE(fresh.certainly_absent("c1"));
  EXPECT_FALSE(fresh.certainly_absent("c2"));
  EXPECT_TRUE(fresh.certainly_absent("c3"));
  fresh.written(Ids{"c1"});  // Written again: still known.
  EXPECT_FALSE(fresh.certainly_absent("c1"));
}

TEST(FreshCustomersTest, StopsAnsweringForGoodPastItsCapacity) {
  FreshCustomers fresh;
  fresh.start(2);
  fresh.written(Ids{"c1", "c2"});
  EXPECT_TRUE(fresh.certainly_absent("c3"));
  fresh.written(Ids{"c3"});
  EXPECT_FALSE(fresh.certainly_absent("c4"));
  fresh.written(Ids{});
  EXPECT_FALSE(fresh.certainly_absent("c4"));
}

TEST(FreshCustomersTest, ACapacityOfZeroNeverAnswers) {
  FreshCustomers fresh;
  fresh.start(0);
  EXPECT_FALSE(fresh.certainly_absent("c1"));
}

}  // namespace
}  // namespace segd::io
