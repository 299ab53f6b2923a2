#pragma once
// Finding which of a decoder's known fields a JSON key names, without a call per compared name.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace segd::io {

/// Whether the `n` bytes at `a` and at `b` are equal, for n <= 16: two overlapping loads from
/// each instead of a call to memcmp (a field name's compare was 1% of a replay's instructions).
inline bool same_short_bytes(const char* a, const char* b, size_t n) {
  const auto load = [](const char* p, auto word) {
    std::memcpy(&word, p, sizeof word);
    return word;
  };
  if (n >= 8) {
    return load(a, uint64_t{}) == load(b, uint64_t{}) &&
           load(a + n - 8, uint64_t{}) == load(b + n - 8, uint64_t{});
  }
  if (n >= 4) {
    return load(a, uint32_t{}) == load(b, uint32_t{}) &&
           load(a + n - 4, uint32_t{}) == load(b + n - 4, uint32_t{});
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

/// Field names as the JSON keys spell them (each name without `prefix`), with, for each first
/// byte, the names that start with it: finding a key's field compares it with one or two names.
template <size_t N>
struct FieldLookup {
  static_assert(N <= 32, "a name's bit is one of 32");
  static constexpr size_t kLongestName = 16;  // what same_short_bytes() compares
  const std::array<std::string_view, N>& names;
  size_t prefix;
  std::array<uint32_t, 256> by_first_byte{};

  constexpr FieldLookup(const std::array<std::string_view, N>& all, std::string_view common)
      : names(all), prefix(common.size()) {
    for (size_t i = 0; i < N; ++i) {
      if (names[i].size() - prefix > kLongestName) {
        throw "a field name is longer than FieldLookup compares";  // Not a constant expression.
      }
      by_first_byte[static_cast<unsigned char>(names[i][prefix])] |= 1U << i;
    }
  }

  /// The index of the field `key` names. Inlined by force: moved to this header from the
  /// reader's unnamed namespace, GCC 12 laid the reader's member dispatch out differently, and a
  /// replay ran 0.3% more instructions.
  [[nodiscard, gnu::always_inline]] std::optional<size_t> find(std::string_view key) const {
    if (key.empty()) {
      return std::nullopt;
    }
    for (uint32_t candidates = by_first_byte[static_cast<unsigned char>(key[0])]; candidates != 0;
         candidates &= candidates - 1) {
      const auto i = static_cast<size_t>(std::countr_zero(candidates));
      const std::string_view name = names[i].substr(prefix);
      if (name.size() == key.size() && same_short_bytes(name.data(), key.data(), key.size())) {
        return i;
      }
    }
    return std::nullopt;
  }
};

}  // namespace segd::io
