#pragma once

#include <cstdint>
#include <string_view>

namespace segd::io {

/// The last byte of a key_prefix() for a key longer than 7 bytes.
inline constexpr uint64_t kLongKey = 0xff;

/// A key's place in bytewise order, as far as one number holds it: its first 7 bytes (zeros past
/// its end), then its length when that is at most 7 bytes, else kLongKey. Keys in bytewise order
/// have these numbers in the same order; two keys of at most 7 bytes tie only when they are equal,
/// longer ones tie when their first 7 bytes do, and the keys settle it. Sorting by it first reads
/// each key once instead of at every comparison.
[[nodiscard]] constexpr uint64_t key_prefix(std::string_view key) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 7; ++i) {
    prefix = (prefix << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0U);
  }
  return (prefix << 8) | (key.size() <= 7 ? key.size() : kLongKey);
}

/// Whether the keys of two tied prefixes are equal (both at most 7 bytes long).
[[nodiscard]] constexpr bool prefix_is_whole_key(uint64_t prefix) {
  return (prefix & 0xff) != kLongKey;
}

}  // namespace segd::io
