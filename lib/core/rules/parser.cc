#include "core/rules/parser.h"

#include <string>
#include <utility>
#include <vector>

#include "core/rules/lexer.h"

namespace segd::core::rules {

namespace {

std::unexpected<Error> syntax_error(int column, const std::string& what) {
  return fail(std::string(kRuleSyntax), "column " + std::to_string(column) + ": " + what);
}

Op binary_op(TokenKind kind) {
  switch (kind) {
    case TokenKind::kStar:
      return Op::kMul;
    case TokenKind::kSlash:
      return Op::kDiv;
    case TokenKind::kPercent:
      return Op::kMod;
    case TokenKind::kPlus:
      return Op::kAdd;
    case TokenKind::kMinus:
      return Op::kSub;
    case TokenKind::kLess:
      return Op::kLess;
    case TokenKind::kLessEqual:
      return Op::kLessEqual;
    case TokenKind::kGreater:
      return Op::kGreater;
    case TokenKind::kGreaterEqual:
      return Op::kGreaterEqual;
    case TokenKind::kEqualEqual:
      return Op::kEqual;
    case TokenKind::kBangEqual:
      return Op::kNotEqual;
    case TokenKind::kAndAnd:
      return Op::kAnd;
    case TokenKind::kOrOr:
      return Op::kOr;
    default:
      return Op::kNone;
  }
}

// Pratt parser over a pull lexer. Recursion: parse_prefix() recurses only through nesting
// constructs, each of which raises `depth` (bounded by kMaxNestingDepth); parse_binary() recurses
// for right operands only at strictly higher precedence, so at most six levels per depth.
class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) {}

  [[nodiscard]] Result<Expr> run() {
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    auto root = parse_binary(1, 0);
    if (!root) {
      return std::unexpected(root.error());
    }
    if (current_.kind != TokenKind::kEnd) {
      return syntax_error(current_.column,
                          "expected operator or end of input but found " + describe(current_));
    }
    expr_.root = *root;
    return std::move(expr_);
  }

 private:
  [[nodiscard]] Result<void> advance() {
    auto token = lexer_.next();
    if (!token) {
      return std::unexpected(token.error());
    }
    current_ = std::move(*token);
    return {};
  }

  NodeRef add(Node node, int column) {
    expr_.nodes.push_back(std::move(node));
    expr_.columns.push_back(column);
    return NodeRef{static_cast<int>(expr_.nodes.size()) - 1};
  }

  [[nodiscard]] Result<NodeRef> parse_binary(int min_prec, int depth) {
    auto lhs = parse_prefix(depth);
    while (lhs) {
      const Op op = binary_op(current_.kind);
      if (op == Op::kNone || precedence(op) < min_prec) {
        break;
      }
      const int column = current_.column;
      if (auto ok = advance(); !ok) {
        return std::unexpected(ok.error());
      }
      auto rhs = parse_binary(precedence(op) + 1, depth);
      if (!rhs) {
        return rhs;
      }
      lhs = add(Node{.kind = NodeKind::kBinary, .op = op, .lhs = *lhs, .rhs = *rhs}, column);
    }
    return lhs;
  }

  [[nodiscard]] Result<NodeRef> nested(int column, int depth) {
    if (depth >= kMaxNestingDepth) {
      return syntax_error(column, "nesting deeper than " + std::to_string(kMaxNestingDepth));
    }
    return NodeRef{};
  }

  [[nodiscard]] Result<NodeRef> parse_prefix(int depth) {
    Token token = current_;
    switch (token.kind) {
      case TokenKind::kNumber:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        return parse_literal(std::move(token));
      case TokenKind::kIdentifier:
        return parse_name(std::move(token), depth);
      case TokenKind::kLeftParen:
        return parse_group(token.column, depth);
      case TokenKind::kMinus:
      case TokenKind::kBang:
        return parse_unary(token, depth);
      case TokenKind::kString:
        return syntax_error(token.column,
                            "expected expression but found string literal (strings are allowed "
                            "only as function arguments)");
      default:
        return syntax_error(token.column, "expected expression but found " + describe(token));
    }
  }

  [[nodiscard]] Result<NodeRef> parse_literal(Token token) {
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    if (token.kind == TokenKind::kNumber) {
      return add(Node{.kind = NodeKind::kNumber, .number = token.number}, token.column);
    }
    const double value = token.kind == TokenKind::kTrue ? 1.0 : 0.0;
    return add(Node{.kind = NodeKind::kBoolean, .number = value}, token.column);
  }

  [[nodiscard]] Result<NodeRef> parse_group(int column, int depth) {
    if (auto ok = nested(column, depth); !ok) {
      return ok;
    }
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    auto inner = parse_binary(1, depth + 1);
    if (!inner) {
      return inner;
    }
    if (current_.kind != TokenKind::kRightParen) {
      return syntax_error(current_.column, "expected ')' but found " + describe(current_));
    }
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    return inner;
  }

  [[nodiscard]] Result<NodeRef> parse_unary(const Token& token, int depth) {
    if (auto ok = nested(token.column, depth); !ok) {
      return ok;
    }
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    auto operand = parse_prefix(depth + 1);
    if (!operand) {
      return operand;
    }
    const Op op = token.kind == TokenKind::kMinus ? Op::kNegate : Op::kNot;
    return add(Node{.kind = NodeKind::kUnary, .op = op, .lhs = *operand}, token.column);
  }

  [[nodiscard]] Result<NodeRef> parse_name(Token name, int depth) {
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    if (current_.kind != TokenKind::kLeftParen) {
      return add(Node{.kind = NodeKind::kVariable, .text = std::string(name.lexeme)}, name.column);
    }
    if (auto ok = nested(current_.column, depth); !ok) {
      return ok;
    }
    auto args = parse_args(depth + 1);
    if (!args) {
      return std::unexpected(args.error());
    }
    Node call{.kind = NodeKind::kCall,
              .text = std::string(name.lexeme),
              .first_arg = static_cast<int>(expr_.args.size()),
              .arg_count = static_cast<int>(args->size())};
    expr_.args.insert(expr_.args.end(), args->begin(), args->end());
    return add(std::move(call), name.column);
  }

  // Called on '('; consumes through the matching ')'. A string literal is accepted as a whole
  // argument only, so `f("a" + 1)` is a syntax error.
  [[nodiscard]] Result<std::vector<NodeRef>> parse_args(int depth) {
    std::vector<NodeRef> args;
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    if (current_.kind == TokenKind::kRightParen) {
      if (auto ok = advance(); !ok) {
        return std::unexpected(ok.error());
      }
      return args;
    }
    while (true) {
      if (static_cast<int>(args.size()) == kMaxCallArgs) {
        return syntax_error(current_.column,
                            "more than " + std::to_string(kMaxCallArgs) + " call arguments");
      }
      auto arg = parse_arg(depth);
      if (!arg) {
        return std::unexpected(arg.error());
      }
      args.push_back(*arg);
      if (current_.kind != TokenKind::kComma && current_.kind != TokenKind::kRightParen) {
        return syntax_error(current_.column, "expected ',' or ')' but found " + describe(current_));
      }
      const bool done = current_.kind == TokenKind::kRightParen;
      if (auto ok = advance(); !ok) {
        return std::unexpected(ok.error());
      }
      if (done) {
        return args;
      }
    }
  }

  [[nodiscard]] Result<NodeRef> parse_arg(int depth) {
    if (current_.kind != TokenKind::kString) {
      return parse_binary(1, depth);
    }
    Token token = std::move(current_);
    if (auto ok = advance(); !ok) {
      return std::unexpected(ok.error());
    }
    return add(Node{.kind = NodeKind::kString, .text = std::move(token.text)}, token.column);
  }

  Lexer lexer_;
  Token current_;
  Expr expr_;
};

}  // namespace

Result<Expr> parse(std::string_view source) {
  if (source.size() > kMaxSourceLength) {
    return syntax_error(static_cast<int>(kMaxSourceLength) + 1,
                        "rule longer than " + std::to_string(kMaxSourceLength) + " characters");
  }
  return Parser(source).run();
}

}  // namespace segd::core::rules
