#include "core/rules/expr.h"

#include <array>
#include <charconv>
#include <string>

#include "core/common/check.h"

namespace segd::core::rules {

int precedence(Op op) {
  switch (op) {
    case Op::kOr:
      return 1;
    case Op::kAnd:
      return 2;
    case Op::kEqual:
    case Op::kNotEqual:
      return 3;
    case Op::kLess:
    case Op::kLessEqual:
    case Op::kGreater:
    case Op::kGreaterEqual:
      return 4;
    case Op::kAdd:
    case Op::kSub:
      return 5;
    case Op::kMul:
    case Op::kDiv:
    case Op::kMod:
      return 6;
    case Op::kNone:
    case Op::kNegate:
    case Op::kNot:
      return 0;
  }
  return 0;
}

const char* spelling(Op op) {
  switch (op) {
    case Op::kNone:
      return "";
    case Op::kNegate:
    case Op::kSub:
      return "-";
    case Op::kNot:
      return "!";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kAdd:
      return "+";
    case Op::kLess:
      return "<";
    case Op::kLessEqual:
      return "<=";
    case Op::kGreater:
      return ">";
    case Op::kGreaterEqual:
      return ">=";
    case Op::kEqual:
      return "==";
    case Op::kNotEqual:
      return "!=";
    case Op::kAnd:
      return "&&";
    case Op::kOr:
      return "||";
  }
  return "";
}

bool is_comparison(Op op) { return precedence(op) == 3 || precedence(op) == 4; }

NodeRef Expr::arg(int first, int k) const {
  CHECK(first >= 0 && k >= 0 && static_cast<size_t>(first) + static_cast<size_t>(k) < args.size());
  return args[static_cast<size_t>(first) + static_cast<size_t>(k)];
}

int Expr::column(NodeRef ref) const {
  if (ref.index < 0 || static_cast<size_t>(ref.index) >= columns.size()) {
    return 0;
  }
  return columns[static_cast<size_t>(ref.index)];
}

namespace {

// Plain decimal reads best ("100000", "0.0001"); very large or small magnitudes fall back to the
// shortest form, which may use an exponent. Both round-trip exactly through the lexer.
constexpr std::ptrdiff_t kMaxPlainDigits = 17;

void append_number(std::string& out, double value) {
  std::array<char, 512> buffer{};  // fixed notation of DBL_MAX needs 309 digits
  auto fixed = std::to_chars(buffer.begin(), buffer.end(), value, std::chars_format::fixed);
  CHECK(fixed.ec == std::errc{});
  if (fixed.ptr - buffer.begin() <= kMaxPlainDigits) {
    out.append(buffer.begin(), fixed.ptr);
    return;
  }
  auto shortest = std::to_chars(buffer.begin(), buffer.end(), value);
  CHECK(shortest.ec == std::errc{});
  out.append(buffer.begin(), shortest.ptr);
}

void append_string_literal(std::string& out, const std::string& text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

// Recursion depth is the tree height, which the parser bounds by the source length limit.
void append_node(std::string& out, const Expr& expr, NodeRef ref);

// A binary operand needs parentheses when it binds more loosely than its parent, or equally
// loosely on the right (all operators associate left).
enum class Side { kLeft, kRight };

void append_operand(std::string& out, const Expr& expr, NodeRef ref, int parent_prec, Side side) {
  const Node& child = expr.node(ref);
  const int prec = child.kind == NodeKind::kBinary ? precedence(child.op) : 100;
  const bool parens = prec < parent_prec || (side == Side::kRight && prec == parent_prec);
  if (parens) {
    out.push_back('(');
  }
  append_node(out, expr, ref);
  if (parens) {
    out.push_back(')');
  }
}

void append_call(std::string& out, const Expr& expr, const Node& node) {
  out += node.text;
  out.push_back('(');
  for (int i = 0; i < node.arg_count; ++i) {
    if (i > 0) {
      out += ", ";
    }
    append_node(out, expr, expr.arg(node.first_arg, i));
  }
  out.push_back(')');
}

void append_node(std::string& out, const Expr& expr, NodeRef ref) {
  const Node& node = expr.node(ref);
  switch (node.kind) {
    case NodeKind::kNumber:
      append_number(out, node.number);
      return;
    case NodeKind::kBoolean:
      out += node.number != 0.0 ? "true" : "false";
      return;
    case NodeKind::kString:
      append_string_literal(out, node.text);
      return;
    case NodeKind::kVariable:
      out += node.text;
      return;
    case NodeKind::kCall:
      append_call(out, expr, node);
      return;
    case NodeKind::kUnary:
      out += spelling(node.op);
      append_operand(out, expr, node.lhs, 100, Side::kLeft);
      return;
    case NodeKind::kBinary: {
      const int prec = precedence(node.op);
      append_operand(out, expr, node.lhs, prec, Side::kLeft);
      out.push_back(' ');
      out += spelling(node.op);
      out.push_back(' ');
      append_operand(out, expr, node.rhs, prec, Side::kRight);
      return;
    }
  }
}

}  // namespace

std::string to_string(const Expr& expr) { return to_string(expr, expr.root); }

std::string to_string(const Expr& expr, NodeRef node) {
  std::string out;
  append_node(out, expr, node);
  return out;
}

}  // namespace segd::core::rules
