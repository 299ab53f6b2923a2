#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace segd::io {

/// What goes to the dead-letter topic for one rejected message.
struct DeadLetterRecord {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
};

/// What a dead letter's record takes beyond its payload and header texts, with room to spare:
/// librdkafka counts a record's framing (at most 36 bytes) and each header's two length varints.
inline constexpr size_t kDeadLetterOverhead = 256;
/// Longest `message` header kept: the text may quote the offending input at any length.
inline constexpr size_t kDeadLetterMessageBytes = 1024;

/// The record of a dead letter, cut to fit a producer whose message.max.bytes is `max_bytes`
/// (librdkafka refuses a larger one, and a refused dead letter would stop the partition). The
/// headers other than `message` go first, then `message` cut to kDeadLetterMessageBytes (each
/// value cut, or a header left out, should they not fit); a payload longer than the room left is
/// cut, and the header `payload_truncated_from` (its whole size) added. Pure.
[[nodiscard]] DeadLetterRecord fit_dead_letter(
    std::vector<std::pair<std::string, std::string>> headers,
    std::string_view payload,
    size_t max_bytes);

}  // namespace segd::io
