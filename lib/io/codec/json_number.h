#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace segd::io {

// JSON numbers (RFC 8259 section 6) read from their text, exactly and deterministically, with
// std::from_chars. All functions are pure and thread-safe.

/// The length of the JSON number `text` starts with (`-? (0 | [1-9][0-9]*) (.[0-9]+)?
/// ([eE][+-]?[0-9]+)?`, the longest match), or 0 when `text` does not start with one or the
/// match stops after `.`, `e` or `E` without digits.
[[nodiscard]] size_t json_number_length(std::string_view text);

/// The double nearest to the JSON number `text` (round to nearest, ties to even). A number
/// closer to zero than half the smallest subnormal is zero (of its sign); nullopt when its
/// magnitude is beyond the largest double (also when `text` is not a JSON number).
[[nodiscard]] std::optional<double> json_number_to_double(std::string_view text);

/// The value of the JSON number `text` when it is an integer literal (no fraction, no exponent:
/// `2.0` and `1e3` are not) within the int64 range; otherwise nullopt.
[[nodiscard]] std::optional<int64_t> json_number_to_int64(std::string_view text);

/// Rewrites every JSON number outside strings in `text` as `0` followed by spaces, so that the
/// text keeps its length, its offsets and its structure. Strings (with their escapes) are left
/// as they are, and so is anything that is not a whole number (`1e`, `-`). Meant for valid JSON:
/// after a syntax error the strings may be found in the wrong places.
void mask_json_numbers(std::span<char> text);

}  // namespace segd::io
