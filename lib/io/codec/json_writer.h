#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace segd::io {

/// Printable ASCII but `"` and `\`: what a key in the code may hold, and the bytes the writer
/// copies in runs (the same rule as core::is_plain_json_ascii(), a byte at a time).
[[nodiscard]] constexpr bool is_plain_json_char(unsigned char c) {
  return c >= 0x20U && c < 0x7FU && c != '"' && c != '\\';
}

/// An object key that is a name in the code, written `"event_id"_key`: checked when the program is
/// compiled to need no escaping (printable ASCII without `"` and `\`), so JsonWriter::key copies
/// it as it is instead of looking at each of its bytes (a SegmentChange has a dozen keys).
class JsonKey {
 public:
  [[nodiscard]] constexpr std::string_view name() const { return name_; }

 private:
  friend consteval JsonKey operator""_key(const char* name, size_t length);
  constexpr explicit JsonKey(std::string_view name) : name_(name) {}

  std::string_view name_;
};

/// A name that would need escaping does not compile ("not a constant expression").
consteval JsonKey operator""_key(const char* name, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (!is_plain_json_char(static_cast<unsigned char>(name[i]))) {
      throw "a JSON key in the code must be printable ASCII without quotes or backslashes";
    }
  }
  return JsonKey(std::string_view(name, length));
}

/// The most bytes write_json_string() writes for `value`: its two quotes and six bytes for each
/// of its bytes (a control character as `\u001f`; an invalid UTF-8 byte takes three, U+FFFD).
[[nodiscard]] constexpr size_t json_string_bound(std::string_view value) {
  return 2 + 6 * value.size();
}

/// The most bytes write_json_number() writes (a double's shortest form takes at most 24).
inline constexpr size_t kJsonNumberBound = 32;

/// Writes `value` as a JSON string at `out`, by JsonWriter's output rules below, and returns the
/// end of what it wrote. `out` has room for json_string_bound(value) bytes. JsonWriter writes
/// every string through it, and so may a fixed document written without a JsonWriter.
[[nodiscard]] char* write_json_string(char* out, std::string_view value);
/// Writes `value` as a JSON number (or `null`) at `out`, by JsonWriter's output rules below, and
/// returns the end of what it wrote. `out` has room for kJsonNumberBound bytes.
[[nodiscard]] char* write_json_number(char* out, double value);
[[nodiscard]] char* write_json_number(char* out, int64_t value);

/// Appends to `out` what `write(char* at)` writes at its end, at most `bound` bytes; `write`
/// returns the end of what it wrote. One growth of `out`, no fill before the write.
template <typename Write>
void append_written(std::string& out, size_t bound, const Write& write) {
  const size_t at = out.size();
  // The size is returned as written, not as passed in: libstdc++ 12 passes the grown capacity
  // instead when it grows the buffer (fixed in later releases).
  out.resize_and_overwrite(at + bound, [&](char* begin, size_t /*passed*/) {
    return static_cast<size_t>(write(begin + at) - begin);
  });
}

/// A small deterministic JSON writer that appends compact JSON (no spaces) to a string it owns.
/// Commas and colons are inserted automatically; misuse (a value where a key is due, unbalanced
/// end_*) is a programming error and fails a CHECK. Not thread-safe (one writer per thread).
///
/// Output rules (stable, so equal values always give equal bytes):
/// - strings: `"` and `\` escaped; \b \f \n \r \t in their short form; other control characters
///   (U+0000..U+001F) as `\u00xx` (lowercase hex); everything else, UTF-8 included, as is
///   (no `\/`, no `\uXXXX` for non-ASCII). Invalid UTF-8 bytes become U+FFFD, so the output is
///   always valid UTF-8 JSON.
/// - doubles: the shortest text that reads back to the same double (std::to_chars), so 840.0
///   is `840`, 0.1 is `0.1`, 1e21 is `1e+21`; -0.0 is written `0`; NaN and ±inf as `null`.
/// - integers: decimal.
class JsonWriter {
 public:
  /// Starts with an empty output, with room for a typical document (a SegmentChange is ~350
  /// bytes: growing from nothing took five reallocations, a third of its encoding's cost).
  JsonWriter();
  /// Appends to `buffer` (reuses its capacity; keeps its content).
  explicit JsonWriter(std::string buffer);

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// An object key; the next call must write its value.
  void key(std::string_view name);
  void key(JsonKey name);
  void string(std::string_view value);
  void number(double value);
  void number(int64_t value);
  void boolean(bool value);
  void null();

  /// The JSON written so far.
  [[nodiscard]] std::string_view view() const { return out_; }
  /// Moves the output out; the writer is empty afterwards.
  [[nodiscard]] std::string take();

 private:
  enum class Scope : uint8_t { kObject, kArray };
  struct Frame {
    Scope scope;
    bool empty;
  };

  void before_value();
  /// Checks that a key may come here; returns the comma that goes before it, or '\0'.
  [[nodiscard]] char before_key();

  std::string out_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

}  // namespace segd::io
