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
  write_escaped(name, comma, ':');
}

void JsonWriter::key(JsonKey name) {
  const char comma = before_key();
  write_plain(name.name(), comma, ':');
}

void JsonWriter::string(std::string_view value) {
  before_value();
  write_escaped(value);
}

void JsonWriter::number(double value) {
  before_value();
  if (!std::isfinite(value)) {
    out_.append("null");
    return;
  }
  if (value == 0.0) {
    // Both zeros print as `0`, so a computed -0.0 does not change the bytes.
    out_.push_back('0');
    return;
  }
  std::array<char, 32> buf{};
  // Counts and whole amounts, most of what is written, print as integers: the same text, at a
  // fraction of the shortest-form search. Only below 100000 in magnitude: from 100000 on, the
  // exponent form of a round number is shorter ("1e+05") and std::to_chars prefers it.
  constexpr double kPlainIntegerBelow = 100000.0;
  const bool small_integer =
      std::abs(value) < kPlainIntegerBelow && value == static_cast<double>(static_cast<int>(value));
  const auto [end, ec] = small_integer
                             ? std::to_chars(buf.begin(), buf.end(), static_cast<int>(value))
                             : std::to_chars(buf.begin(), buf.end(), value);
  CHECK(ec == std::errc());
  out_.append(buf.begin(), end);
}

void JsonWriter::number(int64_t value) {
  before_value();
  std::array<char, 24> buf{};
  const auto [end, ec] = std::to_chars(buf.begin(), buf.end(), value);
  CHECK(ec == std::errc());
  out_.append(buf.begin(), end);
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_.append("null");
}

void JsonWriter::write_plain(std::string_view value, char before, char after) {
  // Everything goes in one write, straight into the grown string (no fill first).
  const size_t at = out_.size();
  const size_t size = at + value.size() + 2 + (before != '\0' ? 1 : 0) + (after != '\0' ? 1 : 0);
  // The size is returned as computed here, not as passed in: libstdc++ 12 passes the grown
  // capacity instead when it grows the buffer (fixed in later releases).
  out_.resize_and_overwrite(size, [&](char* out, size_t /*passed*/) {
    char* p = out + at;
    if (before != '\0') {
      *p++ = before;
    }
    *p++ = '"';
    p = std::copy(value.begin(), value.end(), p);
    *p++ = '"';
    if (after != '\0') {
      *p = after;
    }
    return size;
  });
}

void JsonWriter::write_escaped(std::string_view value, char before, char after) {
  if (core::is_plain_json_ascii(value)) {  // Names, identifiers, rules: nothing to escape.
    write_plain(value, before, after);
    return;
  }
  if (before != '\0') {
    out_.push_back(before);
  }
  out_.push_back('"');
  size_t pos = 0;
  while (pos < value.size()) {
    // Copy a run of characters that need no escaping in one append.
    size_t plain = pos;
    while (plain < value.size() && kPlainAscii[static_cast<unsigned char>(value[plain])]) {
      ++plain;
    }
    out_.append(value.substr(pos, plain - pos));
    pos = plain;
    if (pos == value.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(value[pos]);
    if (c >= 0x80U) {
      const size_t length = core::utf8_sequence_length(value.substr(pos));
      if (length == 0) {
        out_.append(kReplacementChar);
        ++pos;
      } else {
        out_.append(value.substr(pos, length));
        pos += length;
      }
      continue;
    }
    if (const std::string_view escape = short_escape(c); !escape.empty()) {
      out_.append(escape);
    } else if (c < 0x20U) {
      const std::array<char, 6> hex = {
          '\\', 'u', '0', '0', kHexDigits[c >> 4U], kHexDigits[c & 0xFU]};
      out_.append(hex.data(), hex.size());
    } else {
      out_.push_back(static_cast<char>(c));
    }
    ++pos;
  }
  out_.push_back('"');
  if (after != '\0') {
    out_.push_back(after);
  }
}

}  // namespace segd::io
