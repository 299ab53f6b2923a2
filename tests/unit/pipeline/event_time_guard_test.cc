#include "io/pipeline/event_time_guard.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

using core::TimestampMs;

constexpr int64_t kRecord = 1'772'359'200'000;  // 2026-03-01T10:00:00Z
constexpr int64_t kHour = 3'600'000;

TEST(EventTimeGuardTest, EventsUpToTheLimitAheadOfTheirRecordPass) {
  EXPECT_TRUE(check_event_time(TimestampMs{kRecord - 365 * 24 * kHour}, kRecord, kHour));
  EXPECT_TRUE(check_event_time(TimestampMs{kRecord}, kRecord, kHour));
  EXPECT_TRUE(check_event_time(TimestampMs{kRecord + kHour}, kRecord, kHour));
}

TEST(EventTimeGuardTest, AnEventFurtherAheadIsAFutureTimestampNamingBothTimes) {
  const auto r = check_event_time(TimestampMs{kRecord + kHour + 1}, kRecord, kHour);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "future_timestamp");
  EXPECT_EQ(r.error().message,
            "ts 2026-03-01T11:00:00.001Z is more than 1h ahead of the Kafka record's timestamp "
            "2026-03-01T10:00:00Z (engine.max_event_time_ahead)");
  const auto days = check_event_time(TimestampMs{kRecord + 49 * kHour}, kRecord, 48 * kHour);
  ASSERT_FALSE(days);
  EXPECT_NE(days.error().message.find("more than 2d ahead"), std::string::npos);
  const auto seconds = check_event_time(TimestampMs{kRecord + 100'000}, kRecord, 90'000);
  ASSERT_FALSE(seconds);
  EXPECT_NE(seconds.error().message.find("more than 90s ahead"), std::string::npos);
}

TEST(EventTimeGuardTest, NoLimitOrNoRecordTimestampAcceptsAnything) {
  const TimestampMs far{kRecord + 100LL * 365 * 24 * kHour};
  EXPECT_TRUE(check_event_time(far, kRecord, 0));
  EXPECT_TRUE(check_event_time(far, -1, kHour));
}

}  // namespace
}  // namespace segd::io
