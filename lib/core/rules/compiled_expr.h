#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/rules/expr.h"

namespace segd::core::rules {

/// Kind of a function argument (and of a Value).
enum class ArgKind : std::uint8_t { kNumber, kString };

/// A function argument at evaluation time: a number, or a string literal whose text views storage
/// owned by the CompiledExpr being evaluated (valid as long as that object lives unchanged).
struct Value {
  ArgKind kind = ArgKind::kNumber;
  double number = 0.0;
  std::string_view text;

  [[nodiscard]] static Value of_number(double value) { return Value{ArgKind::kNumber, value, {}}; }
  [[nodiscard]] static Value of_string(std::string_view value) {
    return Value{ArgKind::kString, 0.0, value};
  }

  bool operator==(const Value&) const = default;
};

/// A function the rules may call, with its exact parameter list.
struct FunctionSpec {
  std::string name;
  std::vector<ArgKind> args;

  bool operator==(const FunctionSpec&) const = default;
};

/// The names a rule may use. A variable's slot is its index in `variables`, a function's id its
/// index in `functions`. If a name appears twice, the first one wins.
struct SymbolTable {
  std::vector<std::string> variables;
  std::vector<FunctionSpec> functions;

  /// Slot of `name`, or nullopt.
  [[nodiscard]] std::optional<int> find_variable(std::string_view name) const;
  /// Id of function `name`, or nullopt.
  [[nodiscard]] std::optional<int> find_function(std::string_view name) const;

  bool operator==(const SymbolTable&) const = default;
};

/// What evaluation reads: variable values by slot, function results by id. Implementations should
/// be cheap; evaluate() calls them once per occurrence that is reached (short-circuit skips some).
class Environment {
 public:
  virtual ~Environment() = default;
  /// Value of variable `slot` (an index into SymbolTable::variables). NaN means "missing".
  [[nodiscard]] virtual double variable(int slot) const = 0;
  /// Result of function `function` (an index into SymbolTable::functions). `args` match the
  /// declared kinds and are valid only during this call.
  [[nodiscard]] virtual double call(int function, std::span<const Value> args) const = 0;
};

/// Evaluation opcode of one node.
enum class OpCode : std::uint8_t {
  kConstant,
  kString,
  kVariable,
  kCall,
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

/// One instruction of a compiled rule; instruction i evaluates Expr node i.
struct Instr {
  OpCode code = OpCode::kConstant;
  int a = 0;           ///< kVariable: slot; kCall: function id; unary/binary: left operand node
  int b = 0;           ///< kCall: first index into Expr::args; binary: right operand node
  int c = 0;           ///< kCall: argument count
  double value = 0.0;  ///< kConstant

  bool operator==(const Instr&) const = default;
};

/// A rule with every name resolved against a SymbolTable: a flat instruction array, evaluated
/// without string lookups or allocation. Immutable value; safe to share between threads.
class CompiledExpr {
 public:
  /// The syntax tree this was compiled from; NodeRefs index it and code() alike.
  [[nodiscard]] const Expr& expr() const { return expr_; }
  /// One instruction per node of expr().
  [[nodiscard]] std::span<const Instr> code() const { return code_; }
  [[nodiscard]] NodeRef root() const { return expr_.root; }

  bool operator==(const CompiledExpr&) const = default;

 private:
  friend Result<CompiledExpr> compile(const Expr& expr, const SymbolTable& symbols);
  CompiledExpr(Expr expr, std::vector<Instr> code)
      : expr_(std::move(expr)), code_(std::move(code)) {}

  Expr expr_;
  std::vector<Instr> code_;
};

/// Resolves names and checks calls. Errors: `rule_unknown_name` ("column N: unknown variable 'x'"
/// or "unknown function 'f'"); `rule_bad_call` for a wrong argument count, a string literal where
/// a number is declared, or a number where a string literal is declared. CHECK-fails if `expr` is
/// not well formed (children must precede parents), which parse() guarantees. Pure.
[[nodiscard]] Result<CompiledExpr> compile(const Expr& expr, const SymbolTable& symbols);

/// parse() then compile(); errors of either.
[[nodiscard]] Result<CompiledExpr> compile(std::string_view source, const SymbolTable& symbols);

/// Truthiness: non-zero and not NaN (a missing value never makes a rule true).
[[nodiscard]] constexpr bool truthy(double value) { return value != 0.0 && value == value; }

/// Applies a comparison operator (kLess .. kNotEqual) with the rule semantics: 1.0 or 0.0, and
/// 0.0 whenever either side is NaN (so `x != 1` is false for a missing x).
[[nodiscard]] double compare(Op op, double lhs, double rhs);

/// Evaluates the whole rule; the result is a number, test it with truthy(). `&&` and `||`
/// short-circuit and yield 1.0/0.0; `/` and `%` follow IEEE (x / 0 is ±inf, x % 0 is NaN).
/// No allocation; recursion depth is the tree height.
[[nodiscard]] double evaluate(const CompiledExpr& expr, const Environment& env);

/// Evaluates the sub-expression rooted at `node` (e.g. one side of a comparison). CHECK-fails if
/// `node` is out of range or a string literal.
[[nodiscard]] double evaluate_node(const CompiledExpr& expr, NodeRef node, const Environment& env);

/// The values of a rule's sub-expressions at one Environment, each node computed at most once and
/// kept: for analyses that read many nested sub-expressions, where evaluate_node() on each would
/// take time quadratic in a chain such as `a + a + … + a`. The values are evaluate_node()'s.
class NodeValues {
 public:
  /// Both must outlive this object.
  NodeValues(const CompiledExpr& expr, const Environment& env);
  NodeValues(const NodeValues&) = delete;
  NodeValues& operator=(const NodeValues&) = delete;

  /// evaluate_node(expr, node, env), computed on first use. CHECK-fails as evaluate_node() does.
  [[nodiscard]] double at(NodeRef node);

 private:
  double value(int index);

  const CompiledExpr& expr_;
  const Environment& env_;
  std::vector<std::optional<double>> values_;  ///< Per node; empty until computed.
};

}  // namespace segd::core::rules
