#include "core/common/time.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <string>

namespace segd::core {
namespace {

TEST(TimeTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z").value(), TimestampMs{0});
  EXPECT_EQ(parse_rfc3339("2026-03-01T10:00:00Z").value(), TimestampMs{1772359200000});
  EXPECT_EQ(parse_rfc3339("2026-03-01T11:00:00.250+01:00").value(), TimestampMs{1772359200250});
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z").value(), TimestampMs{-1000});
}

TEST(TimeTest, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2026-02-30T00:00:00Z", "2026-03-01 10:00", "2026-03-01T10:00:00",
        "2026-13-01T00:00:00Z", "2026-03-01T10:00:00Zjunk", "2026-03-01T10:00:00."}) {
    auto r = parse_rfc3339(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "bad_timestamp");
  }
}

// The date and time are read at fixed places once the text is long enough to hold them and a
// zone: every prefix of a valid time is rejected, and so is every digit replaced by a non-digit.
TEST(TimeTest, RejectsEveryPrefixAndEveryDigitReplacedByANonDigit) {
  for (const std::string valid :
       {"2026-01-01T00:01:06.709Z", "2026-03-01T11:00:00.250+01:00", "2016-12-31T23:59:60Z"}) {
    ASSERT_TRUE(parse_rfc3339(valid).has_value()) << valid;
    for (size_t length = 0; length < valid.size(); ++length) {
      EXPECT_FALSE(parse_rfc3339(valid.substr(0, length)).has_value()) << length;
    }
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      if (valid[pos] < '0' || valid[pos] > '9') {
        continue;
      }
      for (int b = 0; b < 256; ++b) {
        if (b >= '0' && b <= '9') {
          continue;
        }
        std::string text = valid;
        text[pos] = static_cast<char>(b);
        EXPECT_FALSE(parse_rfc3339(text).has_value()) << valid << " with " << b << " at " << pos;
      }
    }
  }
}

TEST(TimeTest, AcceptsSecond60OnlyAt235960Utc) {
  constexpr TimestampMs kNewYear2017{1'483'228'800'000};  // 2017-01-01T00:00:00Z
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z").value(), kNewYear2017);
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60.500Z").value(), TimestampMs{1'483'228'800'500});
  EXPECT_EQ(parse_rfc3339("2017-01-01T00:59:60+01:00").value(), kNewYear2017);
  EXPECT_EQ(parse_rfc3339("2016-12-31T18:59:60-05:00").value(), kNewYear2017);
  EXPECT_EQ(parse_rfc3339("2026-03-31T23:59:60Z").value(), parse_rfc3339("2026-04-01T00:00:00Z"));
  for (const char* bad :
       {"2026-03-01T10:00:60Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60+01:00",
        "2017-01-01T00:00:60Z", "2016-12-31T23:59:61Z"}) {
    const auto r = parse_rfc3339(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "bad_timestamp");
  }
}

TEST(TimeTest, FormatsRoundTrip) {
  EXPECT_EQ(format_rfc3339(TimestampMs{1772359200000}), "2026-03-01T10:00:00Z");
  EXPECT_EQ(format_rfc3339(TimestampMs{1772359200250}), "2026-03-01T10:00:00.250Z");
  EXPECT_EQ(format_rfc3339(TimestampMs{-1000}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(day_of(TimestampMs{-1}), -1);
  EXPECT_EQ(day_of(TimestampMs{kMsPerDay}), 1);
}

// The form written into a caller's buffer is the same text, within kRfc3339MaxBytes, for years
// of every width the int64 milliseconds reach.
TEST(TimeTest, FormatsIntoABufferWithinItsBound) {
  EXPECT_EQ(format_rfc3339(TimestampMs{253'402'300'800'000}), "10000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(TimestampMs{-62'167'219'200'001}), "-001-12-31T23:59:59.999Z");
  for (const int64_t ms : {int64_t{0}, int64_t{1'772'359'200'250}, int64_t{-62'167'219'200'001},
                           int64_t{253'402'300'800'000}, int64_t{8'000'000'000'000'000'123},
                           int64_t{-8'000'000'000'000'000'123}}) {
    std::array<char, kRfc3339MaxBytes> buf{};
    const char* end = format_rfc3339_to(buf.data(), TimestampMs{ms});
    ASSERT_LE(end - buf.data(), static_cast<ptrdiff_t>(kRfc3339MaxBytes)) << ms;
    EXPECT_EQ(std::string(buf.data(), static_cast<size_t>(end - buf.data())),
              format_rfc3339(TimestampMs{ms}))
        << ms;
  }
  EXPECT_EQ(format_rfc3339(TimestampMs{-8'000'000'000'000'000'123}).size(), 30U);
}

TEST(TimeTest, OffIsAZeroDurationWhereOneCanBeSwitchedOff) {
  // segd took `off` for models.refit_every, segctl replay --refit-every did not.
  EXPECT_EQ(parse_duration_or_off_ms("off").value(), 0);
  EXPECT_EQ(parse_duration_or_off_ms("7d").value(), 7 * kMsPerDay);
  for (const char* bad : {"", "OFF", "0d", "7"}) {
    auto r = parse_duration_or_off_ms(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "bad_duration");
    EXPECT_EQ(r.error().message,
              "expected off or a duration like 12h or 7d, got '" + std::string(bad) + "'");
  }
  EXPECT_FALSE(parse_duration_ms("off").has_value());
}

// `--refit-every 1s` refitted (a scan of every customer) each second of stream time.
TEST(TimeTest, RefitCadencesAreOffOrAtLeastAnHour) {
  EXPECT_EQ(parse_refit_every_ms("off").value(), 0);
  EXPECT_EQ(parse_refit_every_ms("1h").value(), kMsPerHour);
  EXPECT_EQ(parse_refit_every_ms("3600s").value(), kMsPerHour);
  EXPECT_EQ(parse_refit_every_ms("7d").value(), 7 * kMsPerDay);
  for (const char* short_one : {"1s", "59m", "3599s"}) {
    auto r = parse_refit_every_ms(short_one);
    ASSERT_FALSE(r.has_value()) << short_one;
    EXPECT_EQ(r.error().code, "bad_duration");
    EXPECT_EQ(r.error().message,
              "must be off or at least 1h (each refit reads every stored "
              "customer), got '" +
                  std::string(short_one) + "'");
  }
  EXPECT_EQ(parse_refit_every_ms("never").error().message,
            "expected off or a duration like 12h or 7d, got 'never'");
}

}  // namespace
}  // namespace segd::core
