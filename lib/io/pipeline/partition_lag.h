#pragma once

#include <cstdint>
#include <optional>

namespace segd::io {

/// Messages a consumer has yet to read in one partition, for `segd_consumer_lag_messages`: the
/// high watermark minus the consumer's position. Watermarks are librdkafka's cached values (from
/// fetch responses; negative while none came), `position` the consumer's (negative before its
/// first message there), `start` where reading began (the stored offset, nullopt when from the
/// beginning). Before the first message the partition counts from `start`, else from the low
/// watermark; nullopt while the high watermark is unknown (a partition not yet fetched is not
/// "no lag"). Never negative. Pure.
[[nodiscard]] constexpr std::optional<int64_t> partition_lag(int64_t low,
                                                             int64_t high,
                                                             int64_t position,
                                                             std::optional<int64_t> start) {
  if (high < 0) {
    return std::nullopt;
  }
  int64_t at = position;
  if (at < 0) {
    at = start.value_or(low < 0 ? 0 : low);
  }
  return high > at ? high - at : 0;
}

}  // namespace segd::io
