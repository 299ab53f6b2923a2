#pragma once

#include <algorithm>
#include <cstdint>

namespace segd::io {

/// How many messages of a partition the broker removed (retention) before segd read them: segd
/// expected offset `expected` next (the one after its previous message, or its stored position),
/// and the partition went on at `next` instead, the offset of the message that came or, at the
/// partition's end, the end offset. `low` is the partition's log start offset (librdkafka's
/// cached low watermark; negative while unknown). Offsets also skip transaction markers, aborted
/// transactions and compacted records: only a log start above `expected` means messages segd had
/// not read were removed, and those below `next` are the lost ones. 0 when none were. Pure.
[[nodiscard]] constexpr int64_t lost_to_retention(int64_t expected, int64_t next, int64_t low) {
  if (next <= expected || low <= expected) {
    return 0;
  }
  return std::min(low, next) - expected;
}

}  // namespace segd::io
