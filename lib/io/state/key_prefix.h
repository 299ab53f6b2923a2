#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

namespace segd::io {

/// The last byte of a key_prefix() for a key longer than 7 bytes (of a WideKeyPrefix for one
/// longer than 15).
inline constexpr uint64_t kLongKey = 0xff;

namespace detail {

/// Bytes [from, from + count) of `key` (zeros past its end), the first in the highest place.
[[nodiscard]] constexpr uint64_t packed_bytes(std::string_view key, size_t from, size_t count) {
  uint64_t packed = 0;
  for (size_t i = from; i < from + count; ++i) {
    packed = (packed << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0U);
  }
  return packed;
}

/// Bytes [from, from + 7) of `key`, then its length when that is at most from + 7 bytes, else
/// kLongKey.
[[nodiscard]] constexpr uint64_t packed_bytes_and_length(std::string_view key, size_t from) {
  return (packed_bytes(key, from, 7) << 8) | (key.size() <= from + 7 ? key.size() : kLongKey);
}

}  // namespace detail

/// A key's place in bytewise order, as far as one number holds it: its first 7 bytes (zeros past
/// its end), then its length when that is at most 7 bytes, else kLongKey. Keys in bytewise order
/// have these numbers in the same order; two keys of at most 7 bytes tie only when they are equal,
/// longer ones tie when their first 7 bytes do, and the keys settle it. Sorting by it first reads
/// each key once instead of at every comparison.
[[nodiscard]] constexpr uint64_t key_prefix(std::string_view key) {
  return detail::packed_bytes_and_length(key, 0);
}

/// Whether the keys of two tied prefixes are equal (both at most 7 bytes long).
[[nodiscard]] constexpr bool prefix_is_whole_key(uint64_t prefix) {
  return (prefix & 0xff) != kLongKey;
}

/// key_prefix() over 15 bytes, for keys that share their first 7 (a timer's: a 4-byte partition
/// and a customer id): the first 8 bytes, then the next 7 and the length when that is at most 15
/// bytes, else kLongKey. Ordered as the keys are, and tied only by equal keys of at most 15
/// bytes or by longer keys that share their first 15.
struct WideKeyPrefix {
  uint64_t high = 0;  ///< Bytes 0-7.
  uint64_t low = 0;   ///< Bytes 8-14, then the length or kLongKey.

  friend constexpr auto operator<=>(const WideKeyPrefix&, const WideKeyPrefix&) = default;
};

[[nodiscard]] constexpr WideKeyPrefix wide_key_prefix(std::string_view key) {
  return {detail::packed_bytes(key, 0, 8), detail::packed_bytes_and_length(key, 8)};
}

/// Whether the keys of two tied wide prefixes are equal (both at most 15 bytes long).
[[nodiscard]] constexpr bool prefix_is_whole_key(WideKeyPrefix prefix) {
  return (prefix.low & 0xff) != kLongKey;
}

}  // namespace segd::io
