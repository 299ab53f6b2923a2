#pragma once

#include <string_view>

namespace segd::core {

/// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
/// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. Pure, thread-safe.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

/// The length in bytes of the well-formed UTF-8 sequence starting at `text[0]`, or 0 when
/// `text` is empty or does not start with one. Used to repair or skip bad bytes.
[[nodiscard]] size_t utf8_sequence_length(std::string_view text);

/// True when `text` holds an ASCII control character (U+0000..U+001F or U+007F).
[[nodiscard]] bool has_control_chars(std::string_view text);

}  // namespace segd::core
