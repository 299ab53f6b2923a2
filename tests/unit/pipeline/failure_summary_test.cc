// An outage failed 100,000 outbox deliveries at once, again at each retry, and each was a warn
// line: 3.4M lines (302 MB) in 11 minutes of a probe. FailureSummary logs a run of them as one
// line per interval.
#include "io/log/failure_summary.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

using std::chrono::seconds;

TEST(FailureSummaryTest, LogsTheFirstFailureThenOneLinePerInterval) {
  FailureSummary summary("delivery", "deliveries", seconds(10));
  const FailureSummary::Clock::time_point start{};
  EXPECT_EQ(summary.failed("Local: Message timed out", start),
            "delivery failed: Local: Message timed out");
  int lines = 0;
  for (int i = 0; i < 100'000; ++i) {
    lines += summary.failed("Local: Message timed out", start + seconds(1)).has_value() ? 1 : 0;
  }
  EXPECT_EQ(lines, 0);
  EXPECT_EQ(summary.due(start + seconds(9)), std::nullopt);
  EXPECT_EQ(summary.failed("Broker: Not leader for partition", start + seconds(10)),
            "100001 deliveries failed since the last such line, the last: Broker: Not leader for "
            "partition");
  EXPECT_EQ(summary.due(start + seconds(30)), std::nullopt) << "nothing failed since";
}

TEST(FailureSummaryTest, TheTailOfARunIsLoggedWhenDue) {
  FailureSummary summary("dead letter", "dead letters", seconds(10));
  const FailureSummary::Clock::time_point start{};
  ASSERT_TRUE(summary.failed("a", start).has_value());
  EXPECT_EQ(summary.failed("b", start + seconds(2)), std::nullopt);
  EXPECT_EQ(summary.due(start + seconds(5)), std::nullopt);
  EXPECT_EQ(summary.due(start + seconds(12)), "dead letter failed: b");
  EXPECT_EQ(summary.failed("c", start + seconds(13)), std::nullopt);
  EXPECT_EQ(summary.failed("d", start + seconds(14)), std::nullopt);
  EXPECT_EQ(summary.due(start + seconds(22)),
            "2 dead letters failed since the last such line, the last: d");
  // A failure long after the last line is logged at once.
  EXPECT_EQ(summary.failed("e", start + seconds(60)), "dead letter failed: e");
}

}  // namespace
}  // namespace segd::io
