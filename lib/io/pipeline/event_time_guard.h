#pragma once

#include <cstdint>

#include "core/common/result.h"
#include "core/common/time.h"

namespace segd::io {

/// Whether an event's time is acceptable next to its Kafka record's timestamp (CreateTime: set by
/// the producer, LogAppendTime: by the broker). Stream time is the largest event time a
/// partition has seen, so one event dated ahead (a device's wrong clock; local time written as
/// UTC, east of Greenwich) would fire the partition's timers that much early, for good. The
/// record's timestamp is stored in the log, so every reader of the partition decides alike.
///
/// `record_ts_ms` < 0: the record has no timestamp (accepted). `max_ahead_ms` 0: no limit.
/// Errors: `future_timestamp` (the dead-letter reason), naming both times and the config key.
/// Pure.
[[nodiscard]] core::Result<void> check_event_time(core::TimestampMs event_ts,
                                                  int64_t record_ts_ms,
                                                  int64_t max_ahead_ms);

}  // namespace segd::io
