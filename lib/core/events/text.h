#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace segd::core {

/// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
/// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. Pure, thread-safe.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

/// The length in bytes of the well-formed UTF-8 sequence starting at `text[0]`, or 0 when
/// `text` is empty or does not start with one. Used to repair or skip bad bytes.
[[nodiscard]] size_t utf8_sequence_length(std::string_view text);

/// The longest prefix of `text` of at most `max_bytes` that does not end inside a UTF-8
/// sequence (a cut text stays valid UTF-8 when it was).
[[nodiscard]] std::string_view utf8_prefix(std::string_view text, size_t max_bytes);

/// `U+XXXX` (four hex digits at least), as messages name a character.
[[nodiscard]] std::string code_point_name(char32_t c);

/// True when every byte of `text` is printable ASCII (0x20..0x7E): then it is valid UTF-8 and holds
/// no control character. Reads eight bytes at a time; what most identifiers take.
[[nodiscard]] bool is_printable_ascii(std::string_view text);

/// True when every byte of `text` is printable ASCII (0x20..0x7E) other than `"` and `\`: a JSON
/// string holds it as it is, without escapes. Reads eight bytes at a time.
[[nodiscard]] bool is_plain_json_ascii(std::string_view text);

/// The first control character in `text` (Unicode's Cc: U+0000..U+001F, U+007F, and the C1
/// controls U+0080..U+009F, which UTF-8 writes as C2 80..C2 9F), or nullopt.
[[nodiscard]] std::optional<char32_t> first_control_char(std::string_view text);

}  // namespace segd::core
