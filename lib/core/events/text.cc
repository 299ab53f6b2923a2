#include "core/events/text.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace segd::core {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// The high bit of each byte of `word` below 0x20 (the classic "has a byte less than n" test, exact
// for n <= 0x80), or of 0x7F and above (adding one sets its high bit; a carry out of 0xFF only
// marks a byte already marked). Only whether the result is zero is exact.
uint64_t unprintable_bytes(uint64_t word) {
  const uint64_t below_space = (word - 0x20 * kOnes) & ~word & kHighBits;
  const uint64_t del_or_high = ((word + kOnes) | word) & kHighBits;
  return below_space | del_or_high;
}

// Nonzero when a byte of `word` equals `c` (the "has a zero byte" test on word ^ c...c).
uint64_t bytes_equal_to(uint64_t word, unsigned char c) {
  const uint64_t x = word ^ (c * kOnes);
  return (x - kOnes) & ~x & kHighBits;
}

// The 1..8 bytes at `p` in one word, in any order and some more than once, the rest of it 'a':
// a test that every byte passes reads the same answer from it as from the bytes.
uint64_t load_short(const char* p, size_t n) {
  if (n >= 4) {  // Two four-byte halves, overlapping when n < 8.
    uint32_t low = 0;
    uint32_t high = 0;
    std::memcpy(&low, p, sizeof low);
    std::memcpy(&high, p + n - sizeof high, sizeof high);
    return low | (uint64_t{high} << 32U);
  }
  const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  return ((uint64_t{'a'} * kOnes) << 24U) | byte(0) | (byte(n / 2) << 8U) | (byte(n - 1) << 16U);
}

#if defined(__SSE2__)
// A bit for each of the 16 bytes of `block` outside 0x20..0x7E. Compared as signed bytes, those
// from 0x80 on are negative and so below 0x20 too.
unsigned unprintable_in_block(__m128i block) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
      _mm_cmplt_epi8(block, _mm_set1_epi8(0x20)), _mm_cmpgt_epi8(block, _mm_set1_epi8(0x7E)))));
}

// A bit for each byte of `block` equal to `c`.
unsigned bytes_in_block(__m128i block, char c) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(c))));
}
#endif

// True when every byte of `text` passes one test, given as `word_ok` on eight bytes at a time
// and `block_ok` on sixteen (with SSE2, for texts of 16 bytes or more): the last word or block
// overlapping the one before it, a text shorter than a word padded.
template <typename WordOk, typename BlockOk>
bool all_bytes(std::string_view text, WordOk word_ok, [[maybe_unused]] BlockOk block_ok) {
  const char* p = text.data();
  const size_t n = text.size();
  if (n == 0) {
    return true;
  }
  if (n <= 8) {
    return word_ok(load_short(p, n));
  }
#if defined(__SSE2__)
  if (n >= 16) {
    const auto block = [p](size_t i) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    };
    for (size_t i = 0; i + 16 < n; i += 16) {
      if (!block_ok(block(i))) {
        return false;
      }
    }
    return block_ok(block(n - 16));
  }
#endif
  uint64_t word = 0;
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&word, p + i, sizeof word);
    if (!word_ok(word)) {
      return false;
    }
  }
  std::memcpy(&word, p + n - 8, sizeof word);
  return word_ok(word);
}

}  // namespace

size_t utf8_sequence_length(std::string_view text) {
  if (text.empty()) {
    return 0;
  }
  const auto c0 = static_cast<unsigned char>(text[0]);
  if (c0 < 0x80U) {
    return 1;
  }
  // The second byte's allowed range depends on the lead byte; this is what rules out
  // overlong forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
  size_t length = 0;
  unsigned char lo = 0x80U;
  unsigned char hi = 0xBFU;
  if (c0 >= 0xC2U && c0 <= 0xDFU) {
    length = 2;
  } else if (c0 >= 0xE0U && c0 <= 0xEFU) {
    length = 3;
    lo = c0 == 0xE0U ? 0xA0U : 0x80U;
    hi = c0 == 0xEDU ? 0x9FU : 0xBFU;
  } else if (c0 >= 0xF0U && c0 <= 0xF4U) {
    length = 4;
    lo = c0 == 0xF0U ? 0x90U : 0x80U;
    hi = c0 == 0xF4U ? 0x8FU : 0xBFU;
  } else {
    return 0;
  }
  if (text.size() < length) {
    return 0;
  }
  const auto c1 = static_cast<unsigned char>(text[1]);
  if (c1 < lo || c1 > hi) {
    return 0;
  }
  for (size_t i = 2; i < length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(text[i]))) {
      return 0;
    }
  }
  return length;
}

bool is_valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    // ASCII fast path: most identifiers never leave it.
    if (static_cast<unsigned char>(text[pos]) < 0x80U) {
      ++pos;
      continue;
    }
    const size_t length = utf8_sequence_length(text.substr(pos));
    if (length == 0) {
      return false;
    }
    pos += length;
  }
  return true;
}

std::string_view utf8_prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return text;
  }
  size_t end = max_bytes;
  // Back over continuation bytes (10xxxxxx) to the start of the sequence that was cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return text.substr(0, end);
}

std::string code_point_name(char32_t c) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "U+%04X", static_cast<unsigned>(c));
  return text.data();
}

bool is_printable_ascii(std::string_view text) {
  return all_bytes(
      text, [](uint64_t word) { return unprintable_bytes(word) == 0; },
      [](auto block) { return unprintable_in_block(block) == 0; });
}

bool is_plain_json_ascii(std::string_view text) {
  return all_bytes(
      text,
      [](uint64_t word) {
        return (unprintable_bytes(word) | bytes_equal_to(word, '"') | bytes_equal_to(word, '\\')) ==
               0;
      },
      [](auto block) {
        return (unprintable_in_block(block) | bytes_in_block(block, '"') |
                bytes_in_block(block, '\\')) == 0;
      });
}

std::optional<char32_t> first_control_char(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20U || c == 0x7FU) {
      return c;
    }
    if (c == 0xC2U && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80U && next <= 0x9FU) {
        return next;  // U+0080..U+009F: C2 followed by the code point's own byte.
      }
    }
  }
  return std::nullopt;
}

}  // namespace segd::core
