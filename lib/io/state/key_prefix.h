#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace segd::io {

/// The first 8 bytes of `key` as a big-endian number, zeros past its end. Keys in bytewise order
/// have their prefixes in the same order, ties included: a prefix tie is settled by the keys.
/// Sorting by it first reads each key once instead of at every comparison.
[[nodiscard]] inline uint64_t key_prefix(std::string_view key) {
  unsigned char bytes[8] = {};  // NOLINT(*-avoid-c-arrays)
  std::memcpy(bytes, key.data(), key.size() < sizeof(bytes) ? key.size() : sizeof(bytes));
  uint64_t prefix = 0;
  for (const unsigned char byte : bytes) {
    prefix = (prefix << 8) | byte;
  }
  return prefix;
}

}  // namespace segd::io
