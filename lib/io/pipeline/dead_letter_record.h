#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/codec/decode_limits.h"

namespace segd::io {

/// What goes to the dead-letter topic for one rejected message.
struct DeadLetterRecord {
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> key;      ///< The original key; nullopt: it had none (null).
  std::optional<std::string> payload;  ///< The original value; nullopt: null (a tombstone).
};

/// The bytes of a Kafka key or value as librdkafka hands them over: nullopt for null.
[[nodiscard]] inline std::optional<std::string_view> kafka_bytes(const void* data, size_t size) {
  if (data == nullptr) {
    return std::nullopt;
  }
  return std::string_view(static_cast<const char*>(data), size);
}

/// Nullable bytes kept (`owned`) and viewed again (`viewed`); null stays null.
[[nodiscard]] inline std::optional<std::string> owned(std::optional<std::string_view> bytes) {
  return bytes ? std::optional<std::string>(*bytes) : std::nullopt;
}
[[nodiscard]] inline std::optional<std::string_view> viewed(
    const std::optional<std::string>& bytes) {
  return bytes ? std::optional<std::string_view>(*bytes) : std::nullopt;
}

/// What a dead letter's record takes beyond its payload and header texts, with room to spare:
/// librdkafka counts a record's framing (at most 36 bytes) and each header's two length varints.
inline constexpr size_t kDeadLetterOverhead = 256;

/// The record of a dead letter, cut to fit a producer whose message.max.bytes is `max_bytes`
/// (librdkafka refuses a larger one, and a refused dead letter would stop the partition). The
/// headers other than `message` go first, then the original key, then `message` cut to
/// kDeadLetterMessageBytes (each value cut, or a header left out, should they not fit); a key or
/// payload longer than the room left is cut, and the header `key_truncated_from` or
/// `payload_truncated_from` (its whole size) added. A null key or payload stays null. Pure.
[[nodiscard]] DeadLetterRecord fit_dead_letter(
    std::vector<std::pair<std::string, std::string>> headers,
    std::optional<std::string_view> key,
    std::optional<std::string_view> payload,
    size_t max_bytes);

}  // namespace segd::io
