#pragma once
// Seeded byte-level mutations for the decoder robustness tests: a small, deterministic stand-in
// for a fuzzer that runs inside ctest (under the sanitizer build too, see scripts/sanitize.sh).

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace segd::testing {

/// Produces mutants of seed inputs: bit flips, bytes that matter to JSON and to the protobuf
/// wire format, deleted, repeated and spliced ranges, truncations, and stacks of these. The
/// same seed gives the same sequence of mutants.
class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  /// A mutant of one of `seeds` (1 to 4 stacked mutations).
  std::string next(std::span<const std::string> seeds) {
    std::string s = seeds[below(seeds.size())];
    const size_t rounds = 1 + below(4);
    for (size_t i = 0; i < rounds; ++i) {
      mutate_once(s, seeds);
    }
    return s;
  }

 private:
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }

  void mutate_once(std::string& s, std::span<const std::string> seeds) {
    // Bytes that change structure: JSON punctuation, escapes, number parts, NUL, invalid and
    // multi-byte UTF-8 leads, varint continuation bytes and small tags.
    static constexpr char kInteresting[] = {
        '"', '\\', '{', '}',  '[',    ']',    ',',    ':',    '0',    '9',    '-',    'e',
        '.', 'n',  ' ', '\0', '\xff', '\xc3', '\xe2', '\x80', '\x7f', '\x08', '\x0a', '\x12'};
    const size_t pos = below(s.size() + 1);
    switch (below(7)) {
      case 0:  // Flip one bit.
        if (!s.empty()) {
          s[below(s.size())] ^= static_cast<char>(1u << below(8));
        }
        break;
      case 1:  // Overwrite a byte with a structural one.
        if (!s.empty()) {
          s[below(s.size())] = kInteresting[below(sizeof kInteresting)];
        }
        break;
      case 2:  // Insert a structural byte.
        s.insert(pos, 1, kInteresting[below(sizeof kInteresting)]);
        break;
      case 3:  // Delete a range.
        s.erase(pos, 1 + below(16));
        break;
      case 4:  // Repeat a range (duplicate keys, fields given twice, runaway nesting).
        if (!s.empty()) {
          const size_t from = below(s.size());
          s.insert(pos, s.substr(from, 1 + below(32)));
        }
        break;
      case 5:  // Truncate.
        s.resize(pos);
        break;
      default: {  // Splice in a piece of another seed.
        const std::string& other = seeds[below(seeds.size())];
        if (!other.empty()) {
          const size_t from = below(other.size());
          s.insert(pos, other.substr(from, 1 + below(64)));
        }
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

/// `bytes` as lowercase hex, for failure messages that let a mutant be rebuilt.
inline std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace segd::testing
