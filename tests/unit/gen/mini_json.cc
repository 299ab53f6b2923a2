#include "mini_json.h"

#include <charconv>

namespace segd::gen::testing {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<JsonValue> document() {
    auto value = parse_value(0);
    skip_ws();
    if (!value || pos_ != s_.size()) {
      return std::nullopt;
    }
    return value;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      return false;
    }
    pos_ += word.size();
    return true;
  }

  std::optional<JsonValue> parse_value(int depth) {
    skip_ws();
    if (pos_ >= s_.size() || depth > 32) {
      return std::nullopt;
    }
    JsonValue v;
    const char c = s_[pos_];
    if (c == '{') {
      return parse_object(depth);
    }
    if (c == '[') {
      return parse_array(depth);
    }
    if (c == '"') {
      auto str = parse_string();
      if (!str) {
        return std::nullopt;
      }
      v.kind = JsonValue::Kind::kString;
      v.text = std::move(*str);
      return v;
    }
    if (literal("true") || literal("false")) {
      v.kind = JsonValue::Kind::kBool;
      v.boolean = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';
      return v;
    }
    if (literal("null")) {
      return v;
    }
    return parse_number();
  }

  std::optional<std::string> parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (static_cast<unsigned char>(s_[pos_]) < 0x20) {
        return std::nullopt;
      }
      if (s_[pos_] == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) {
          return std::nullopt;
        }
      }
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) {
      return std::nullopt;
    }
    ++pos_;  // closing quote
    return out;
  }

  std::optional<JsonValue> parse_number() {
    const size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      ++pos_;
    }
    bool integral = true;
    while (pos_ < s_.size() &&
           std::string_view("0123456789.eE+-").find(s_[pos_]) != std::string_view::npos) {
      integral = integral && s_[pos_] >= '0' && s_[pos_] <= '9';
      ++pos_;
    }
    JsonValue v;
    v.kind = JsonValue::Kind::kNumber;
    v.integral = integral;
    v.text = std::string(s_.substr(start, pos_ - start));
    const auto res = std::from_chars(v.text.data(), v.text.data() + v.text.size(), v.number);
    if (v.text.empty() || res.ec != std::errc() || res.ptr != v.text.data() + v.text.size()) {
      return std::nullopt;
    }
    return v;
  }

  std::optional<JsonValue> parse_array(int depth) {
    ++pos_;
    JsonValue v;
    v.kind = JsonValue::Kind::kArray;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return v;
    }
    while (true) {
      auto item = parse_value(depth + 1);
      if (!item) {
        return std::nullopt;
      }
      v.values.push_back(std::move(*item));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return v;
      } else {
        return std::nullopt;
      }
    }
  }

  std::optional<JsonValue> parse_object(int depth) {
    ++pos_;
    JsonValue v;
    v.kind = JsonValue::Kind::kObject;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return v;
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        return std::nullopt;
      }
      auto key = parse_string();
      skip_ws();
      if (!key || pos_ >= s_.size() || s_[pos_] != ':') {
        return std::nullopt;
      }
      ++pos_;
      auto value = parse_value(depth + 1);
      if (!value) {
        return std::nullopt;
      }
      v.keys.push_back(std::move(*key));
      v.values.push_back(std::move(*value));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return v;
      } else {
        return std::nullopt;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<JsonValue> parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace segd::gen::testing
