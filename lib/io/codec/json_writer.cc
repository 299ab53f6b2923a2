#include "io/codec/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include "core/common/check.h"
#include "core/events/text.h"

namespace segd::io {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kHexDigits = "0123456789abcdef";

// is_plain_json_char() as a table, for the escaping loop.
constexpr std::array<bool, 256> kPlainAscii = [] {
  std::array<bool, 256> plain{};
  for (unsigned c = 0; c < plain.size(); ++c) {
    plain[c] = is_plain_json_char(static_cast<unsigned char>(c));
  }
  return plain;
}();

// The escape for one ASCII byte, or empty when it is written as is.
std::string_view short_escape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return {};
  }
}

// The body of a JSON string (no quotes) for a `value` that is not plain JSON ASCII: runs of plain
// bytes as they are, the rest escaped or, invalid UTF-8, replaced.
char* write_escaped_body(char* out, std::string_view value) {
  const auto put = [&out](std::string_view bytes) {
    out = std::copy(bytes.begin(), bytes.end(), out);
  };
  size_t pos = 0;
  while (pos < value.size()) {
    size_t plain = pos;
    while (plain < value.size() && kPlainAscii[static_cast<unsigned char>(value[plain])]) {
      ++plain;
    }
    put(value.substr(pos, plain - pos));
    pos = plain;
    if (pos == value.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(value[pos]);
    if (c >= 0x80U) {
      const size_t length = core::utf8_sequence_length(value.substr(pos));
      if (length == 0) {
        put(kReplacementChar);
        ++pos;
      } else {
        put(value.substr(pos, length));
        pos += length;
      }
      continue;
    }
    if (const std::string_view escape = short_escape(c); !escape.empty()) {
      put(escape);
    } else if (c < 0x20U) {
      const std::array<char, 6> hex = {
          '\\', 'u', '0', '0', kHexDigits[c >> 4U], kHexDigits[c & 0xFU]};
      put(std::string_view(hex.data(), hex.size()));
    } else {
      *out++ = static_cast<char>(c);
    }
    ++pos;
  }
  return out;
}

}  // namespace

JsonWriter::JsonWriter() {
  constexpr size_t kInitialBytes = 512;
  constexpr size_t kInitialDepth = 8;
  out_.reserve(kInitialBytes);
  stack_.reserve(kInitialDepth);
}

JsonWriter::JsonWriter(std::string buffer) : out_(std::move(buffer)) {}

std::string JsonWriter::take() {
  std::string out = std::move(out_);
  out_.clear();
  stack_.clear();
  after_key_ = false;
  return out;
}

void JsonWriter::before_value() {
  if (stack_.empty()) {
    return;
  }
  Frame& top = stack_.back();
  if (top.scope == Scope::kObject) {
    CHECK(after_key_);
    after_key_ = false;
    return;
  }
  if (!top.empty) {
    out_.push_back(',');
  }
  top.empty = false;
}

void JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back(Frame{Scope::kObject, true});
}

void JsonWriter::end_object() {
  CHECK(!stack_.empty() && stack_.back().scope == Scope::kObject && !after_key_);
  stack_.pop_back();
  out_.push_back('}');
}

void JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back(Frame{Scope::kArray, true});
}

void JsonWriter::end_array() {
  CHECK(!stack_.empty() && stack_.back().scope == Scope::kArray);
  stack_.pop_back();
  out_.push_back(']');
}

char JsonWriter::before_key() {
  CHECK(!stack_.empty() && stack_.back().scope == Scope::kObject && !after_key_);
  Frame& top = stack_.back();
  const char comma = top.empty ? '\0' : ',';
  top.empty = false;
  after_key_ = true;
  return comma;
}

void JsonWriter::key(std::string_view name) {
  const char comma = before_key();
  append_written(out_, json_string_bound(name) + 2, [&](char* p) {
    if (comma != '\0') {
      *p++ = comma;
    }
    p = write_json_string(p, name);
    *p++ = ':';
    return p;
  });
}

void JsonWriter::key(JsonKey name) {
  const char comma = before_key();
  const std::string_view plain = name.name();
  append_written(out_, plain.size() + 4, [&](char* p) {
    if (comma != '\0') {
      *p++ = comma;
    }
    *p++ = '"';
    p = std::copy(plain.begin(), plain.end(), p);
    *p++ = '"';
    *p++ = ':';
    return p;
  });
}

void JsonWriter::string(std::string_view value) {
  before_value();
  append_written(out_, json_string_bound(value),
                 [&](char* p) { return write_json_string(p, value); });
}

void JsonWriter::number(double value) {
  before_value();
  append_written(out_, kJsonNumberBound, [&](char* p) { return write_json_number(p, value); });
}

void JsonWriter::number(int64_t value) {
  before_value();
  append_written(out_, kJsonNumberBound, [&](char* p) { return write_json_number(p, value); });
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_.append("null");
}

char* write_json_string(char* out, std::string_view value) {
  *out++ = '"';
  if (core::is_plain_json_ascii(value)) {  // Names, identifiers, rules: nothing to escape.
    out = std::copy(value.begin(), value.end(), out);
  } else {
    out = write_escaped_body(out, value);
  }
  *out++ = '"';
  return out;
}

char* write_json_number(char* out, double value) {
  constexpr std::string_view kNull = "null";
  if (!std::isfinite(value)) {
    return std::copy(kNull.begin(), kNull.end(), out);
  }
  if (value == 0.0) {
    // Both zeros print as `0`, so a computed -0.0 does not change the bytes.
    *out = '0';
    return out + 1;
  }
  // Counts and whole amounts, most of what is written, print as integers: the same text, at a
  // fraction of the shortest-form search. Only below 100000 in magnitude: from 100000 on, the
  // exponent form of a round number is shorter ("1e+05") and std::to_chars prefers it.
  constexpr double kPlainIntegerBelow = 100000.0;
  const bool small_integer =
      std::abs(value) < kPlainIntegerBelow && value == static_cast<double>(static_cast<int>(value));
  const auto [end, ec] = small_integer
                             ? std::to_chars(out, out + kJsonNumberBound, static_cast<int>(value))
                             : std::to_chars(out, out + kJsonNumberBound, value);
  CHECK(ec == std::errc());
  return end;
}

char* write_json_number(char* out, int64_t value) {
  const auto [end, ec] = std::to_chars(out, out + kJsonNumberBound, value);
  CHECK(ec == std::errc());
  return end;
}

}  // namespace segd::io
