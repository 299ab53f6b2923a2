#pragma once
// A tiny strict JSON parser for the generator tests: enough to tell valid lines from bad ones
// and read their fields. Not for production use.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segd::gen::testing {

/// A parsed JSON value. Objects keep their keys in order.
struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0.0;
  bool integral = false;  ///< the number had no fraction or exponent
  std::string text;       ///< string value, or the number's source text
  std::vector<std::string> keys;
  std::vector<JsonValue> values;  ///< array elements or object values

  /// The member named `key`, or nullptr.
  [[nodiscard]] const JsonValue* find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) {
        return &values[i];
      }
    }
    return nullptr;
  }
};

/// Parses one complete JSON document (surrounding whitespace allowed); nullopt if invalid.
[[nodiscard]] std::optional<JsonValue> parse_json(std::string_view text);

}  // namespace segd::gen::testing
