#include "io/kafka/json_key.h"

#include <cstdint>

namespace segd::io::kafka {
namespace {

/// A cursor over the line; every step checks bounds so a cut-off line simply yields nothing.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return text_[pos_]; }
  void advance() { ++pos_; }

  void skip_space() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
      ++pos_;
    }
  }

  /// At an opening quote: returns the raw (still escaped) contents and moves past the closing
  /// quote, or nullopt when the string is not terminated.
  std::optional<std::string_view> raw_string() {
    const size_t start = ++pos_;
    while (!done()) {
      const char c = peek();
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '"') {
        return text_.substr(start, pos_++ - start);
      }
      ++pos_;
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

std::optional<uint32_t> hex4(std::string_view s) {
  if (s.size() < 4) {
    return std::nullopt;
  }
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    const char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<uint32_t>(c - '0');
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      v |= static_cast<uint32_t>((c | 0x20) - 'a' + 10);
    } else {
      return std::nullopt;
    }
  }
  return v;
}

// Surrogate pairs are kept as two 3-byte sequences: keys only need to be stable, and IDs with
// characters outside the BMP do not occur in practice.
std::optional<std::string> unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (++i >= raw.size()) {
      return std::nullopt;
    }
    switch (raw[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        auto cp = hex4(raw.substr(i + 1));
        if (!cp) {
          return std::nullopt;
        }
        append_utf8(out, *cp);
        i += 4;
        break;
      }
      default:
        out += raw[i];
        break;  // \" \\ \/
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> top_level_string_field(std::string_view line, std::string_view field) {
  Scanner s(line);
  int depth = 0;
  // Whether the next string at depth 1 is in key position (after '{' or ',').
  bool expect_key = false;
  while (!s.done()) {
    const char c = s.peek();
    if (c == '"') {
      const bool is_key = depth == 1 && expect_key;
      auto raw = s.raw_string();
      if (!raw) {
        return std::nullopt;
      }
      expect_key = false;
      if (!is_key || *raw != field) {
        continue;
      }
      s.skip_space();
      if (s.done() || s.peek() != ':') {
        return std::nullopt;
      }
      s.advance();
      s.skip_space();
      if (s.done() || s.peek() != '"') {
        return std::nullopt;
      }
      auto value = s.raw_string();
      if (!value || value->empty()) {
        return std::nullopt;
      }
      return value->find('\\') == std::string_view::npos ? std::string(*value) : unescape(*value);
    }
    if (c == '{' || c == '[') {
      ++depth;
      expect_key = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',') {
      expect_key = depth == 1;
    }
    s.advance();
  }
  return std::nullopt;
}

}  // namespace segd::io::kafka
