#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/common/strong_int.h"

namespace segd::core {

/// Event time: milliseconds since the Unix epoch, UTC. The core never reads a clock;
/// every TimestampMs comes from a record or from stream time.
using TimestampMs = StrongInt<int64_t, struct TimestampTag>;

inline constexpr int64_t kMsPerSecond = 1000;
inline constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr int64_t kMsPerDay = 24 * kMsPerHour;

/// Parses RFC 3339 (`2026-03-01T10:00:00Z`, `2026-03-01T10:00:00.250+01:00`). Second 60 (a leap
/// second) is accepted only at 23:59:60 UTC once the offset is applied, and read as the next
/// day's 00:00:00 UTC (Unix time has no leap seconds). Errors: code `bad_timestamp`.
[[nodiscard]] Result<TimestampMs> parse_rfc3339(std::string_view text);

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` only when the milliseconds are not zero.
[[nodiscard]] std::string format_rfc3339(TimestampMs ts);

/// Room for what format_rfc3339_to() writes: a year of the int64 millisecond range has at most
/// 9 digits and a sign, so the text takes at most 30 bytes.
inline constexpr size_t kRfc3339MaxBytes = 32;

/// format_rfc3339() written at `out`, which has room for kRfc3339MaxBytes; returns the end.
[[nodiscard]] char* format_rfc3339_to(char* out, TimestampMs ts);

/// Parses a duration written as a positive count and a unit: `90s`, `15m`, `12h`, `7d`, `2w`.
/// Errors: code `bad_duration`.
[[nodiscard]] Result<int64_t> parse_duration_ms(std::string_view text);

/// parse_duration_ms(), or 0 for `off`: a cadence or limit that can be switched off (segd's
/// models.refit_every and engine.max_event_time_ahead, segctl replay --refit-every).
/// Errors: code `bad_duration`.
[[nodiscard]] Result<int64_t> parse_duration_or_off_ms(std::string_view text);

/// The shortest cadence of model refits in stream time: each refit reads every stored customer,
/// so a cadence of seconds (`1m` meant as a month) would refit without end in a backfill.
inline constexpr int64_t kMinRefitEveryMs = kMsPerHour;

/// parse_duration_or_off_ms() for a refit cadence (segd's models.refit_every, segctl replay
/// --refit-every): `off` (0) or at least kMinRefitEveryMs. Errors: code `bad_duration`.
[[nodiscard]] Result<int64_t> parse_refit_every_ms(std::string_view text);

/// Whole UTC days since the epoch (floor division, correct for negative times).
[[nodiscard]] constexpr int64_t day_of(TimestampMs ts) {
  const int64_t v = ts.value();
  return v >= 0 ? v / kMsPerDay : -((-v + kMsPerDay - 1) / kMsPerDay);
}

}  // namespace segd::core
