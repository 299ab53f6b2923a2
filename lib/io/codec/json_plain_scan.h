#pragma once
// A scan of plain JSON texts (RFC 8259 without escapes in strings) that drives a rapidjson-style
// SAX handler, for the decoder's common case: events as producers write them. It reads the text
// where it is (no copy, no NUL needed) and hands strings over as views into it. Anything it does
// not read itself (an escape, a syntax error, nesting deeper than kPlainScanMaxDepth, a handler
// that stops) makes it give up, and the caller parses the text again with rapidjson, which
// reports such texts the way it always has. Pure and allocation-free.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "io/codec/json_number.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace segd::io {

/// What scan_plain_json() made of a text.
enum class PlainScan : uint8_t {
  kDone,    ///< One whole JSON value, and the handler took all of it.
  kGiveUp,  ///< Not one this scan reads, or the handler stopped: parse it with rapidjson.
};

/// The deepest nesting of objects and arrays the scan follows.
inline constexpr int kPlainScanMaxDepth = 64;

#if defined(__SSE2__)
/// Among the 16 bytes at `p`, a bit for each that ends a run of plain string bytes: a quote, a
/// backslash or a byte below 0x20.
inline unsigned string_stops_in_block(const char* p) {
  const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i below_space = _mm_set1_epi8(0x1f);  // b < 0x20 exactly when max(b, 0x1f) == 0x1f
  const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')),
                                                  _mm_cmpeq_epi8(block, _mm_set1_epi8('\\'))),
                                     _mm_cmpeq_epi8(_mm_max_epu8(block, below_space), below_space));
  return static_cast<unsigned>(_mm_movemask_epi8(stops));
}
#endif

/// The first byte in [p, end) that ends a run of plain string bytes, or `end`. Reads nothing at
/// or past `end`.
inline const char* plain_string_end(const char* p, const char* end) {
#if defined(__SSE2__)
  for (; end - p >= 16; p += 16) {
    if (const unsigned stops = string_stops_in_block(p); stops != 0) {
      return p + std::countr_zero(stops);
    }
  }
#endif
  for (; p != end; ++p) {
    const auto b = static_cast<unsigned char>(*p);
    if (b == '"' || b == '\\' || b < 0x20) {
      break;
    }
  }
  return p;
}

/// One scan_plain_json(): a cursor, and the open objects and arrays (a bit each) with the number
/// of values read in each.
template <typename Handler>
class PlainJsonScanner {
 public:
  PlainJsonScanner(std::string_view text, Handler& handler)
      : p_(text.data()), end_(text.data() + text.size()), handler_(handler) {}

  PlainScan run() {
    if (static_cast<size_t>(end_ - p_) > std::numeric_limits<uint32_t>::max()) {
      return PlainScan::kGiveUp;  // Lengths reach the handler as 32-bit counts.
    }
    skip_space();
    for (;;) {
      // A value starts here; when it opens a container, the container's first value (after its
      // first key, in an object) starts next, unless the container closes at once.
      bool complete = true;
      switch (peek()) {
        case '{':
        case '[': {
          const bool object = peek() == '{';
          ++p_;
          if (!(object ? handler_.StartObject() : handler_.StartArray()) || !open(object)) {
            return PlainScan::kGiveUp;
          }
          skip_space();
          if (peek() == (object ? '}' : ']')) {
            ++p_;
            if (!close()) {
              return PlainScan::kGiveUp;
            }
          } else if (object && !member_key()) {
            return PlainScan::kGiveUp;
          } else {
            complete = false;
          }
          break;
        }
        default:
          if (!scalar()) {
            return PlainScan::kGiveUp;
          }
          break;
      }
      if (!complete) {
        continue;
      }
      // After a value: close what ends here, up to the comma before the next value.
      for (;;) {
        skip_space();
        if (depth_ == 0) {
          return p_ == end_ ? PlainScan::kDone : PlainScan::kGiveUp;
        }
        ++count_;
        const char c = peek();
        if (c == ',') {
          ++p_;
          skip_space();
          if (in_object() && !member_key()) {
            return PlainScan::kGiveUp;
          }
          break;
        }
        if (c != (in_object() ? '}' : ']')) {
          return PlainScan::kGiveUp;
        }
        ++p_;
        if (!close()) {
          return PlainScan::kGiveUp;
        }
      }
    }
  }

 private:
  // The byte at the cursor, or NUL at the end (never a byte that starts or continues a value).
  [[nodiscard]] char peek() const { return p_ == end_ ? '\0' : *p_; }

  void skip_space() {
    // One test for the common case, a byte above the space.
    while (p_ != end_ && static_cast<unsigned char>(*p_) <= ' ') {
      if (*p_ != ' ' && *p_ != '\n' && *p_ != '\r' && *p_ != '\t') {
        return;
      }
      ++p_;
    }
  }

  [[nodiscard]] bool in_object() const { return ((objects_ >> (depth_ - 1)) & 1U) != 0; }

  bool open(bool object) {
    if (depth_ == kPlainScanMaxDepth) {
      return false;
    }
    const uint64_t bit = uint64_t{1} << depth_;
    objects_ = object ? objects_ | bit : objects_ & ~bit;
    outer_counts_[depth_++] = count_;
    count_ = 0;
    return true;
  }

  // Ends the innermost container, which the cursor has just passed the end of.
  bool close() {
    const bool object = in_object();
    const uint32_t count = count_;
    count_ = outer_counts_[--depth_];
    return object ? handler_.EndObject(count) : handler_.EndArray(count);
  }

  // A plain string whose opening quote is at the cursor: its text, and the cursor past it.
  bool plain_string(std::string_view& text) {
    if (peek() != '"') {
      return false;
    }
    const char* begin = ++p_;
    const char* stop = plain_string_end(begin, end_);
    if (stop == end_ || *stop != '"') {
      return false;  // An escape, a control byte, or no closing quote.
    }
    text = std::string_view(begin, static_cast<size_t>(stop - begin));
    p_ = stop + 1;
    return true;
  }

  // An object member's key and the colon after it, up to its value. Inlined by force into the
  // loop's two calls: left to GCC 12 it was not, and a replay ran 1.5% more instructions.
  [[gnu::always_inline]] bool member_key() {
    std::string_view key;
    if (!plain_string(key) || !handler_.Key(key.data(), static_cast<uint32_t>(key.size()), false)) {
      return false;
    }
    skip_space();
    if (peek() != ':') {
      return false;
    }
    ++p_;
    skip_space();
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // A string, number, true, false or null at the cursor.
  bool scalar() {
    switch (peek()) {
      case '"': {
        std::string_view text;
        return plain_string(text) &&
               handler_.String(text.data(), static_cast<uint32_t>(text.size()), false);
      }
      case 't':
        return literal("true") && handler_.Bool(true);
      case 'f':
        return literal("false") && handler_.Bool(false);
      case 'n':
        return literal("null") && handler_.Null();
      default: {
        // What follows the number is checked with the next token: `01` is `0` then a stray `1`.
        const size_t n = json_number_length(std::string_view(p_, static_cast<size_t>(end_ - p_)));
        if (n == 0) {
          return false;
        }
        const char* begin = p_;
        p_ += n;
        return handler_.RawNumber(begin, static_cast<uint32_t>(n), false);
      }
    }
  }

  const char* p_;
  const char* end_;
  Handler& handler_;
  int depth_ = 0;
  uint64_t objects_ = 0;  // bit d: level d is an object
  uint32_t count_ = 0;    // values read in the innermost open container
  // The counts of the containers around it, written as each opens (not cleared: one scan takes
  // one event, and a cleared array was 46 instructions of it).
  std::array<uint32_t, kPlainScanMaxDepth> outer_counts_;
};

/// Reads `text` as one JSON value with the handler's callbacks (rapidjson's SAX interface:
/// Null, Bool, RawNumber, String, Key, StartObject, EndObject, StartArray, EndArray), when it is
/// plain: no escapes in its strings (nor bytes below 0x20), and nesting no deeper than
/// kPlainScanMaxDepth. Strings and numbers are views into `text`. Accepts exactly what rapidjson
/// accepts among such texts (with kParseNumbersAsStringsFlag and no extensions), and calls the
/// handler the same way; gives up on everything else (the handler may have seen part of it).
template <typename Handler>
[[nodiscard]] PlainScan scan_plain_json(std::string_view text, Handler& handler) {
  return PlainJsonScanner<Handler>(text, handler).run();
}

}  // namespace segd::io
