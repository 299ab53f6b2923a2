#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/check.h"

namespace segd::core::rules {

/// Index of one node in an Expr (and, one to one, in the CompiledExpr built from it).
struct NodeRef {
  int index = -1;

  auto operator<=>(const NodeRef&) const = default;
};

/// What a node is.
enum class NodeKind : std::uint8_t {
  kNumber,    ///< numeric literal, value in Node::number
  kBoolean,   ///< `true` / `false`, value 1.0 / 0.0 in Node::number
  kString,    ///< string literal (only ever a call argument), unescaped text in Node::text
  kVariable,  ///< feature name in Node::text
  kCall,      ///< function name in Node::text, arguments in Expr::args
  kUnary,     ///< Node::op applied to Node::lhs
  kBinary,    ///< Node::op applied to Node::lhs and Node::rhs
};

/// Operators. kNegate and kNot are unary, the rest binary.
enum class Op : std::uint8_t {
  kNone,
  kNegate,
  kNot,
  kMul,
  kDiv,
  kMod,
  kAdd,
  kSub,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqual,
  kNotEqual,
  kAnd,
  kOr,
};

/// Binding strength of a binary operator, C order: `||` 1, `&&` 2, `== !=` 3, `< <= > >=` 4,
/// `+ -` 5, `* / %` 6. Zero for kNone and unary operators. All binary operators associate left.
[[nodiscard]] int precedence(Op op);

/// Source spelling of an operator, e.g. "<=" or "!".
[[nodiscard]] const char* spelling(Op op);

/// True for `< <= > >= == !=`.
[[nodiscard]] bool is_comparison(Op op);

/// One syntax-tree node. Fields not used by `kind` keep their defaults, so that two trees compare
/// equal exactly when they have the same structure.
struct Node {
  NodeKind kind = NodeKind::kNumber;
  Op op = Op::kNone;
  double number = 0.0;
  std::string text;
  NodeRef lhs;
  NodeRef rhs;
  int first_arg = 0;  ///< kCall: first index into Expr::args
  int arg_count = 0;  ///< kCall: number of arguments

  bool operator==(const Node&) const = default;
};

/// A parsed rule: nodes in post-order (every child precedes its parent), `root` last.
/// A plain value: copyable, comparable, no pointers into the source text.
struct Expr {
  std::vector<Node> nodes;
  std::vector<NodeRef> args;  ///< call arguments; each call's arguments are contiguous
  std::vector<int> columns;   ///< 1-based source column of each node (empty if hand-built)
  NodeRef root;

  /// Structural equality: same tree, regardless of where it appeared in the source.
  bool operator==(const Expr& other) const {
    return nodes == other.nodes && args == other.args && root == other.root;
  }

  /// The node behind `ref`. CHECK-fails if `ref` is out of range. Inline: the wake-up search
  /// walks a rule's nodes for most events.
  [[nodiscard]] const Node& node(NodeRef ref) const {
    CHECK(ref.index >= 0 && static_cast<size_t>(ref.index) < nodes.size());
    return nodes[static_cast<size_t>(ref.index)];
  }

  /// Argument `k` of a call whose arguments start at `first` in `args` (Node::first_arg,
  /// Instr::b). CHECK-fails if it is out of range.
  [[nodiscard]] NodeRef arg(int first, int k) const;

  /// Source column of `ref`, or 0 when unknown.
  [[nodiscard]] int column(NodeRef ref) const;
};

/// Canonical text of the whole rule: single spaces around binary operators, none after unary
/// ones, parentheses only where precedence or left associativity needs them, numbers in shortest
/// round-trip form, strings re-escaped. `parse(to_string(e)) == e` for every parsed `e`.
[[nodiscard]] std::string to_string(const Expr& expr);

/// Canonical text of the sub-expression rooted at `node` (same rules as above).
[[nodiscard]] std::string to_string(const Expr& expr, NodeRef node);

}  // namespace segd::core::rules
