#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace segd::core::rules {

/// Token kinds of the rule language.
enum class TokenKind : std::uint8_t {
  kEnd,
  kNumber,
  kString,
  kIdentifier,
  kTrue,
  kFalse,
  kLeftParen,
  kRightParen,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBang,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqualEqual,
  kBangEqual,
  kAndAnd,
  kOrOr,
};

/// One token. `lexeme` views the source; `text` is the unescaped content of a string literal.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  int column = 0;  ///< 1-based byte column of the first character
  std::string_view lexeme;
  double number = 0.0;
  std::string text;
};

/// Describes a token for error messages: "end of input", "identifier 'x'", "'&&'", ...
[[nodiscard]] std::string describe(const Token& token);

/// Splits a rule into tokens on demand, so that the first error in source order is reported.
/// Holds a view of `source`, which must outlive it. Not thread-safe; cheap to create.
class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  /// The next token, or kEnd (repeatedly) at the end of input. Errors (code `rule_syntax`, message
  /// "column N: ..."): unexpected character, malformed number, number out of double range,
  /// unterminated string, unknown escape.
  [[nodiscard]] Result<Token> next();

 private:
  [[nodiscard]] Result<Token> lex_number(size_t start);
  [[nodiscard]] Result<Token> lex_string(size_t start);
  [[nodiscard]] Token lex_word(size_t start);
  [[nodiscard]] Result<Token> lex_operator(size_t start);
  [[nodiscard]] bool at(size_t pos, char c) const;

  std::string_view source_;
  size_t pos_ = 0;
};

}  // namespace segd::core::rules
