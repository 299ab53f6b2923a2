#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace segd::core {

/// Reads the next line of a text of lines (JSONL events): up to '\n', without it and without one
/// '\r' before it, so a file with Windows line endings reads as the same lines.
inline bool read_text_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) {
    return false;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return true;
}

/// The longest line a reader of JSONL text takes before it gives up on the input (no JSONL
/// has one, and an endless one, /dev/zero, would never end): 1 GiB.
inline constexpr size_t kMaxTextLineBytes = size_t{1} << 30;

/// What a reader says of input line `number` (from 1) longer than kMaxTextLineBytes.
[[nodiscard]] inline std::string too_long_line_text(int64_t number) {
  return "line " + std::to_string(number) + " is longer than " +
         std::to_string(kMaxTextLineBytes >> 30) + " GiB: not JSONL text";
}

/// Reads lines as read_text_line() does, in bounded memory whatever their length: a line keeps
/// at most its first `keep` bytes, and next() says how long it was (a JSONL file without line
/// breaks, a compressed file given by mistake, is then read in steps instead of whole). A line
/// longer than `max_length` ends the reading (too_long()): no text of lines has one, and an
/// endless one (/dev/zero) would never end.
class BoundedLineReader {
 public:
  /// Memory for `keep` bytes is reserved, not touched: only the lines read fill it.
  BoundedLineReader(size_t keep, size_t max_length)
      // A run-time size left uninitialised: no std::array, and a std::vector would zero it all.
      : storage_(std::make_unique_for_overwrite<char[]>(keep + 1)),  // NOLINT(*-avoid-c-arrays)
        buffer_(storage_.get(), keep + 1),
        max_length_(max_length) {}

  /// The next line's first `keep` bytes into `line` and its whole length into `length` (more
  /// than `keep`: the line was cut). False at the end of the input, on a read error (the
  /// stream's state tells them apart) and at a line longer than `max_length` (too_long()).
  bool next(std::istream& in, std::string& line, size_t& length) {
    const std::optional<Piece> first = read_piece(in, buffer_);
    if (!first) {
      return false;
    }
    line.assign(buffer_.data(), first->bytes);
    length = first->bytes;
    if (first->more) {
      length += skip_rest(in, line.back(), max_length_ - first->bytes);
      if (length > max_length_) {
        too_long_ = true;
        return false;
      }
    } else if (!line.empty() && line.back() == '\r') {
      line.pop_back();
      length -= 1;
    }
    return true;
  }

  /// The last next() stopped at a line longer than `max_length`.
  [[nodiscard]] bool too_long() const { return too_long_; }

 private:
  struct Piece {
    size_t bytes = 0;   ///< Stored, without the '\n' that ended them.
    bool more = false;  ///< The line goes on past them.
  };

  // One getline() into `into`; nullopt when the input had nothing left (failbit stays set).
  static std::optional<Piece> read_piece(std::istream& in, std::span<char> into) {
    // getline(char*, n) stores up to n - 1 bytes; it sets failbit when it stops there before a
    // '\n', and when it extracts nothing at all (the end).
    in.getline(into.data(), static_cast<std::streamsize>(into.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (in.fail() && got == into.size() - 1) {
      in.clear(in.rdstate() & ~std::ios::failbit);
      return Piece{.bytes = got, .more = true};
    }
    if (in.fail()) {
      return std::nullopt;
    }
    // The '\n' was extracted too (counted by gcount) unless the input ended.
    return Piece{.bytes = in.eof() ? got : got - 1};
  }

  // Reads the rest of a cut line, whose last kept byte is `last`; returns its length without the
  // '\n' and one '\r' before it, or more than `at_most` once it is longer (unread beyond).
  static size_t skip_rest(std::istream& in, char last, size_t at_most) {
    std::array<char, 4096> rest{};
    size_t length = 0;
    while (const std::optional<Piece> piece = read_piece(in, rest)) {
      if (piece->bytes > 0) {
        last = rest[piece->bytes - 1];
      }
      length += piece->bytes;
      if (!piece->more || length > at_most) {
        break;
      }
    }
    // The '\r' is at most one byte before the end; kept bytes never hold a line's own '\r' end.
    return last == '\r' ? length - (length > 0 ? 1 : 0) : length;
  }

  std::unique_ptr<char[]> storage_;  // NOLINT(*-avoid-c-arrays): see the constructor.
  std::span<char> buffer_;           ///< storage_, `keep` + 1 bytes (getline's terminating '\0').
  size_t max_length_;
  bool too_long_ = false;
};

}  // namespace segd::core
