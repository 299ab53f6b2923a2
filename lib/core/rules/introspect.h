#pragma once

#include <optional>
#include <vector>

#include "core/rules/compiled_expr.h"
#include "core/rules/expr.h"

namespace segd::core::rules {

/// One comparison in a rule: `lhs op rhs`, with handles for evaluate_node() and variables_used().
struct Comparison {
  Op op = Op::kLess;  ///< one of kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual
  NodeRef node;       ///< the comparison itself
  NodeRef lhs;
  NodeRef rhs;

  bool operator==(const Comparison&) const = default;
};

/// A call whose arguments are all constant, such as `affinity("shoes")`: a feature lookup.
struct BareCall {
  int function = -1;  ///< index into SymbolTable::functions
  /// Argument values; string views point into the CompiledExpr, valid while it lives unchanged.
  std::vector<Value> args;

  bool operator==(const BareCall&) const = default;
};

/// Slots of all variables the rule reads, sorted, unique.
[[nodiscard]] std::vector<int> variables_used(const CompiledExpr& expr);
/// Slots of all variables the sub-expression at `node` reads, sorted, unique.
[[nodiscard]] std::vector<int> variables_used(const CompiledExpr& expr, NodeRef node);
/// Ids of all functions the rule calls, sorted, unique.
[[nodiscard]] std::vector<int> functions_used(const CompiledExpr& expr);
/// Ids of all functions the sub-expression at `node` calls, sorted, unique.
[[nodiscard]] std::vector<int> functions_used(const CompiledExpr& expr, NodeRef node);

/// Every comparison in the rule, including nested ones, in source order of their operators'
/// enclosing structure (pre-order: an outer comparison before the ones inside its operands).
[[nodiscard]] std::vector<Comparison> comparisons(const CompiledExpr& expr);

/// `a < b` holds exactly when `b mirrored(<) a` does: < ↔ >, <= ↔ >=, == and != unchanged.
[[nodiscard]] Op mirrored(Op comparison);

/// The slot if `node` is a bare variable (e.g. `days_since_last_purchase`), else nullopt.
[[nodiscard]] std::optional<int> is_bare_variable(const CompiledExpr& expr, NodeRef node);

/// The function and argument values if `node` is a call with only constant arguments (string
/// literals or expressions without variables and calls), else nullopt.
[[nodiscard]] std::optional<BareCall> is_bare_call(const CompiledExpr& expr, NodeRef node);

/// True if the sub-expression at `node` reads no variable and calls no function, so its value
/// never changes (evaluate_node() then ignores the Environment).
[[nodiscard]] bool is_constant(const CompiledExpr& expr, NodeRef node);

}  // namespace segd::core::rules
