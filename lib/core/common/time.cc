#include "core/common/time.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "core/common/check.h"

namespace segd::core {
namespace {

// Howard Hinnant's civil-from-days / days-from-civil, proleptic Gregorian calendar.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool expect(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

// The Width digits at `p` as a number, -1 unless all are digits: unrolled, without a branch per
// digit (the date and time of every event go through here).
template <size_t Width>
int64_t fixed_digits(const char* p) {
  int64_t v = 0;
  bool all = true;
#pragma GCC unroll 4
  for (size_t i = 0; i < Width; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
    all &= d < 10U;
    v = v * 10 + d;
  }
  return all ? v : -1;
}

// fixed_digits() at `pos` of `s`, -1 as well when `s` ends before them.
template <size_t Width>
int64_t digits_at(std::string_view s, size_t pos) {
  return pos + Width <= s.size() ? fixed_digits<Width>(s.data() + pos) : -1;
}

// Whether local time hh:mm at `offset_minutes` east of UTC is 23:59 UTC, the only minute a
// leap second (second 60) can end.
bool is_last_utc_minute(int64_t hour, int64_t minute, int64_t offset_minutes) {
  constexpr int64_t kMinutesPerDay = kMsPerDay / kMsPerMinute;
  const int64_t utc = (hour * 60 + minute - offset_minutes) % kMinutesPerDay;
  return (utc + kMinutesPerDay) % kMinutesPerDay == kMinutesPerDay - 1;
}

}  // namespace

Result<TimestampMs> parse_rfc3339(std::string_view s) {
  auto bad = [&]() { return fail("bad_timestamp", "not an RFC 3339 time: " + std::string(s)); };
  // YYYY-MM-DDTHH:MM:SS, then at least a zone (`Z`).
  constexpr size_t kShortest = 20;
  if (s.size() < kShortest) {
    return bad();
  }
  const char* p = s.data();
  const int64_t year = fixed_digits<4>(p);
  const int64_t month = fixed_digits<2>(p + 5);
  const int64_t day = fixed_digits<2>(p + 8);
  const int64_t hour = fixed_digits<2>(p + 11);
  const int64_t minute = fixed_digits<2>(p + 14);
  const int64_t second = fixed_digits<2>(p + 17);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || p[4] != '-' || p[7] != '-' ||
      !(p[10] == 'T' || p[10] == 't' || p[10] == ' ') || p[13] != ':' || p[16] != ':') {
    return bad();
  }
  if (day > days_in_month(year, static_cast<unsigned>(month))) {
    return bad();
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (expect(s, pos, '.')) {
    ++pos;
    int64_t scale = 100;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return bad();
    }
  }
  int64_t offset_minutes = 0;
  if (expect(s, pos, 'Z') || expect(s, pos, 'z')) {
    ++pos;
  } else if (expect(s, pos, '+') || expect(s, pos, '-')) {
    const int64_t sign = s[pos] == '-' ? -1 : 1;
    const int64_t oh = digits_at<2>(s, pos + 1);
    const int64_t om = digits_at<2>(s, pos + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || !expect(s, pos + 3, ':')) {
      return bad();
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) {
    return bad();
  }
  // Unix time has no leap seconds: 23:59:60Z is read as the next day's 00:00:00Z.
  if (second == 60 && !is_last_utc_minute(hour, minute, offset_minutes)) {
    return bad();
  }
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return TimestampMs{secs * kMsPerSecond + millis};
}

Result<int64_t> parse_duration_ms(std::string_view text) {
  constexpr int64_t kMaxCount = 1'000'000'000;
  constexpr std::string_view kUnits = "smhdw";
  constexpr std::array<int64_t, 5> kUnitMs = {kMsPerSecond, kMsPerMinute, kMsPerHour, kMsPerDay,
                                              7 * kMsPerDay};
  const size_t unit = text.empty() ? std::string_view::npos : kUnits.find(text.back());
  int64_t count = 0;
  const std::string_view digits_part = text.substr(0, text.empty() ? 0 : text.size() - 1);
  auto [end, ec] =
      std::from_chars(digits_part.data(), digits_part.data() + digits_part.size(), count);
  if (unit == std::string_view::npos || digits_part.empty() || digits_part.front() == '-' ||
      ec != std::errc() || end != digits_part.data() + digits_part.size() || count <= 0 ||
      count > kMaxCount) {
    return fail("bad_duration",
                "expected a duration like 12h or 7d, got '" + std::string(text) + "'");
  }
  return count * kUnitMs[unit];
}

Result<int64_t> parse_duration_or_off_ms(std::string_view text) {
  if (text == "off") {
    return 0;
  }
  auto ms = parse_duration_ms(text);
  if (!ms) {
    return fail("bad_duration",
                "expected off or a duration like 12h or 7d, got '" + std::string(text) + "'");
  }
  return ms;
}

Result<int64_t> parse_refit_every_ms(std::string_view text) {
  auto ms = parse_duration_or_off_ms(text);
  if (ms && *ms > 0 && *ms < kMinRefitEveryMs) {
    return fail("bad_duration",
                "must be off or at least 1h (each refit reads every stored "
                "customer), got '" +
                    std::string(text) + "'");
  }
  return ms;
}

std::string format_rfc3339(TimestampMs ts) {
  std::array<char, kRfc3339MaxBytes> buf{};
  return {buf.data(), format_rfc3339_to(buf.data(), ts)};
}

char* format_rfc3339_to(char* out, TimestampMs ts) {
  const int64_t ms = ts.value();
  const int64_t days = day_of(ts);
  const int64_t in_day = ms - days * kMsPerDay;
  const Civil c = civil_from_days(days);
  const int64_t h = in_day / kMsPerHour;
  const int64_t m = (in_day % kMsPerHour) / kMsPerMinute;
  const int64_t sec = (in_day % kMsPerMinute) / kMsPerSecond;
  const int64_t milli = in_day % kMsPerSecond;
  if (c.year >= 0 && c.year <= 9999) {
    // The common case without printf: yyyy-mm-ddThh:mm:ss[.mmm]Z.
    constexpr std::string_view kTemplate = "0000-00-00T00:00:00.000Z";
    std::copy(kTemplate.begin(), kTemplate.end(), out);
    auto put = [out](size_t at, int64_t v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10) {
        out[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
      }
    };
    put(0, c.year, 4);
    put(5, c.month, 2);
    put(8, c.day, 2);
    put(11, h, 2);
    put(14, m, 2);
    put(17, sec, 2);
    if (milli == 0) {
      out[19] = 'Z';
      return out + 20;
    }
    put(20, milli, 3);
    return out + kTemplate.size();
  }
  // snprintf writes a NUL after the text: one byte more than the text needs.
  std::array<char, kRfc3339MaxBytes + 1> buf{};
  int n = 0;
  if (milli != 0) {
    n = std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                      static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(sec),
                      static_cast<long long>(milli));
  } else {
    n = std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                      static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(sec));
  }
  CHECK(n > 0 && static_cast<size_t>(n) <= kRfc3339MaxBytes);
  return std::copy_n(buf.data(), n, out);
}

}  // namespace segd::core
