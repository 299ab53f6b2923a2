#include "core/rules/lexer.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <string>
#include <system_error>

namespace segd::core::rules {

namespace {

constexpr std::string_view kSyntax = "rule_syntax";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word_char(char c) { return is_word_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int column_of(size_t pos) { return static_cast<int>(pos) + 1; }

std::unexpected<Error> syntax_error(size_t pos, const std::string& what) {
  return fail(std::string(kSyntax), "column " + std::to_string(column_of(pos)) + ": " + what);
}

// Printable characters are quoted as they are; anything else as hex, so that messages stay
// readable (and valid UTF-8) whatever bytes a hostile rule contains.
std::string describe_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) {
    return std::string("'") + c + "'";
  }
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%02x", static_cast<unsigned>(byte));
  return buffer.data();
}

Token make_token(TokenKind kind, std::string_view source, size_t start, size_t length) {
  Token token;
  token.kind = kind;
  token.column = column_of(start);
  token.lexeme = source.substr(start, length);
  return token;
}

}  // namespace

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kNumber:
      return "number " + std::string(token.lexeme);
    case TokenKind::kString:
      return "string literal";
    case TokenKind::kIdentifier:
      return "identifier '" + std::string(token.lexeme) + "'";
    default:
      return "'" + std::string(token.lexeme) + "'";
  }
}

bool Lexer::at(size_t pos, char c) const { return pos < source_.size() && source_[pos] == c; }

Result<Token> Lexer::next() {
  while (pos_ < source_.size() && is_space(source_[pos_])) {
    ++pos_;
  }
  if (pos_ >= source_.size()) {
    return make_token(TokenKind::kEnd, source_, source_.size(), 0);
  }
  const char c = source_[pos_];
  if (is_digit(c)) {
    return lex_number(pos_);
  }
  if (c == '"') {
    return lex_string(pos_);
  }
  if (is_word_start(c)) {
    return lex_word(pos_);
  }
  return lex_operator(pos_);
}

Result<Token> Lexer::lex_number(size_t start) {
  size_t end = start;
  while (end < source_.size() && is_digit(source_[end])) {
    ++end;
  }
  if (at(end, '.')) {
    ++end;
    if (end >= source_.size() || !is_digit(source_[end])) {
      return syntax_error(end, "expected digit after '.' in number");
    }
    while (end < source_.size() && is_digit(source_[end])) {
      ++end;
    }
  }
  if (at(end, 'e') || at(end, 'E')) {
    ++end;
    if (at(end, '+') || at(end, '-')) {
      ++end;
    }
    if (end >= source_.size() || !is_digit(source_[end])) {
      return syntax_error(end, "expected digit in exponent of number");
    }
    while (end < source_.size() && is_digit(source_[end])) {
      ++end;
    }
  }
  Token token = make_token(TokenKind::kNumber, source_, start, end - start);
  const char* first = source_.data() + start;
  const char* last = source_.data() + end;
  auto [ptr, ec] = std::from_chars(first, last, token.number);
  if (ec != std::errc{} || ptr != last) {
    return syntax_error(start, "number " + std::string(token.lexeme) + " is out of range");
  }
  pos_ = end;
  return token;
}

Result<Token> Lexer::lex_string(size_t start) {
  std::string text;
  size_t pos = start + 1;
  while (pos < source_.size() && source_[pos] != '"') {
    if (source_[pos] == '\\') {
      if (pos + 1 >= source_.size()) {
        pos = source_.size();  // a trailing backslash leaves the string open
        break;
      }
      const char escaped = source_[pos + 1];
      if (escaped != '"' && escaped != '\\') {
        return syntax_error(pos, "unknown escape '\\' followed by " + describe_char(escaped) +
                                     R"( (only \" and \\ are allowed))");
      }
      text.push_back(escaped);
      pos += 2;
      continue;
    }
    text.push_back(source_[pos]);
    ++pos;
  }
  if (pos >= source_.size()) {
    return syntax_error(source_.size(),
                        "expected '\"' but found end of input (string opened at column " +
                            std::to_string(column_of(start)) + ")");
  }
  Token token = make_token(TokenKind::kString, source_, start, pos + 1 - start);
  token.text = std::move(text);
  pos_ = pos + 1;
  return token;
}

Token Lexer::lex_word(size_t start) {
  size_t end = start;
  while (end < source_.size() && is_word_char(source_[end])) {
    ++end;
  }
  const std::string_view word = source_.substr(start, end - start);
  TokenKind kind = TokenKind::kIdentifier;
  if (word == "true") {
    kind = TokenKind::kTrue;
  } else if (word == "false") {
    kind = TokenKind::kFalse;
  }
  pos_ = end;
  return make_token(kind, source_, start, end - start);
}

Result<Token> Lexer::lex_operator(size_t start) {
  const char c = source_[start];
  const bool eq_next = at(start + 1, '=');
  TokenKind kind = TokenKind::kEnd;
  size_t length = 1;
  switch (c) {
    case '(':
      kind = TokenKind::kLeftParen;
      break;
    case ')':
      kind = TokenKind::kRightParen;
      break;
    case ',':
      kind = TokenKind::kComma;
      break;
    case '+':
      kind = TokenKind::kPlus;
      break;
    case '-':
      kind = TokenKind::kMinus;
      break;
    case '*':
      kind = TokenKind::kStar;
      break;
    case '/':
      kind = TokenKind::kSlash;
      break;
    case '%':
      kind = TokenKind::kPercent;
      break;
    case '!':
      kind = eq_next ? TokenKind::kBangEqual : TokenKind::kBang;
      break;
    case '<':
      kind = eq_next ? TokenKind::kLessEqual : TokenKind::kLess;
      break;
    case '>':
      kind = eq_next ? TokenKind::kGreaterEqual : TokenKind::kGreater;
      break;
    case '=':
      kind = eq_next ? TokenKind::kEqualEqual : TokenKind::kEnd;
      break;
    case '&':
      kind = at(start + 1, '&') ? TokenKind::kAndAnd : TokenKind::kEnd;
      break;
    case '|':
      kind = at(start + 1, '|') ? TokenKind::kOrOr : TokenKind::kEnd;
      break;
    default:
      break;
  }
  if (kind == TokenKind::kEnd) {
    std::string hint;
    if (c == '=' || c == '&' || c == '|') {
      hint = std::string(" (did you mean '") + c + c + "'?)";
    }
    return syntax_error(start, "unexpected character " + describe_char(c) + hint);
  }
  if (kind == TokenKind::kBangEqual || kind == TokenKind::kLessEqual ||
      kind == TokenKind::kGreaterEqual || kind == TokenKind::kEqualEqual ||
      kind == TokenKind::kAndAnd || kind == TokenKind::kOrOr) {
    length = 2;
  }
  pos_ = start + length;
  return make_token(kind, source_, start, length);
}

}  // namespace segd::core::rules
