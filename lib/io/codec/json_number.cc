#include "io/codec/json_number.h"

#include <algorithm>
#include <charconv>
#include <system_error>

namespace segd::io {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The number of digits at `text[at]` onwards.
size_t digits_at(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return end - at;
}

// The exponent after `e`/`E` (`text` is what follows it), saturated far beyond any double's.
int64_t exponent(std::string_view text) {
  constexpr int64_t kSaturated = 1'000'000'000'000'000;
  const bool negative = text.starts_with('-');
  int64_t value = 0;
  for (const char c : text.substr(text.starts_with('-') || text.starts_with('+') ? 1 : 0)) {
    value = std::min(value * 10 + (c - '0'), kSaturated);
  }
  return negative ? -value : value;
}

// The power of ten of the first non-zero digit of the JSON number `text` (2 for 120, -2 for
// 0.05, 3 for 0.5e4); 0 when all its digits are 0.
int64_t leading_power_of_ten(std::string_view text) {
  const size_t e = std::min(text.find_first_of("eE"), text.size());
  const std::string_view mantissa = text.substr(0, e);
  const size_t begin = mantissa.starts_with('-') ? 1 : 0;
  const size_t point = std::min(mantissa.find('.'), mantissa.size());
  const size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) {
    return 0;
  }
  // Digits counted without the point: the first one stands for 10^(integer digits - 1).
  const auto index = static_cast<int64_t>(first - begin - (first > point ? 1 : 0));
  const auto integer_digits = static_cast<int64_t>(point - begin);
  return integer_digits - 1 - index + (e < text.size() ? exponent(text.substr(e + 1)) : 0);
}

// The offset just past the string whose opening quote is at `text[at]`.
size_t end_of_string(std::span<const char> text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

}  // namespace

size_t json_number_length(std::string_view text) {
  size_t at = text.starts_with('-') ? 1 : 0;
  if (at < text.size() && text[at] == '0') {
    ++at;
  } else {
    const size_t integer = digits_at(text, at);
    if (integer == 0) {
      return 0;
    }
    at += integer;
  }
  if (at < text.size() && text[at] == '.') {
    const size_t fraction = digits_at(text, at + 1);
    if (fraction == 0) {
      return 0;
    }
    at += 1 + fraction;
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      ++at;
    }
    const size_t exponent_digits = digits_at(text, at);
    if (exponent_digits == 0) {
      return 0;
    }
    at += exponent_digits;
  }
  return at;
}

std::optional<double> json_number_to_double(std::string_view text) {
  const char* const end = text.data() + text.size();
  double value = 0;
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range && leading_power_of_ten(text) < 0) {
    // Below every subnormal: from_chars calls that out of range, the nearest double is zero.
    return text.starts_with('-') ? -0.0 : 0.0;
  }
  if (error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> json_number_to_int64(std::string_view text) {
  const char* const end = text.data() + text.size();
  int64_t value = 0;
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

void mask_json_numbers(std::span<char> text) {
  size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"') {
      at = end_of_string(text, at);
      continue;
    }
    const size_t length =
        c == '-' || is_digit(c) ? json_number_length({text.data() + at, text.size() - at}) : 0;
    if (length == 0) {
      ++at;
      continue;
    }
    text[at] = '0';
    std::fill_n(text.begin() + static_cast<std::ptrdiff_t>(at) + 1, length - 1, ' ');
    at += length;
  }
}

}  // namespace segd::io
