#include "io/pipeline/event_time_guard.h"

#include <string>

namespace segd::io {
namespace {

// A whole number of seconds in its largest exact unit: 90s, 15m, 1h, 2d.
std::string duration_text(int64_t ms) {
  const int64_t s = ms / 1000;
  for (const auto& [unit, per] :
       {std::pair{'d', 86400}, std::pair{'h', 3600}, std::pair{'m', 60}}) {
    if (s % per == 0) {
      return std::to_string(s / per) + unit;
    }
  }
  return std::to_string(s) + "s";
}

}  // namespace

core::Result<void> check_event_time(core::TimestampMs event_ts,
                                    int64_t record_ts_ms,
                                    int64_t max_ahead_ms) {
  if (max_ahead_ms <= 0 || record_ts_ms < 0 || event_ts.value() - record_ts_ms <= max_ahead_ms) {
    return {};
  }
  return core::fail("future_timestamp", "ts " + core::format_rfc3339(event_ts) + " is more than " +
                                            duration_text(max_ahead_ms) +
                                            " ahead of the Kafka record's timestamp " +
                                            core::format_rfc3339(core::TimestampMs{record_ts_ms}) +
                                            " (engine.max_event_time_ahead)");
}

}  // namespace segd::io
