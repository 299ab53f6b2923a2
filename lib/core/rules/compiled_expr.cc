#include "core/rules/compiled_expr.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "core/common/check.h"
#include "core/rules/parser.h"

namespace segd::core::rules {

namespace {

std::unexpected<Error> compile_error(std::string_view code, int column, const std::string& what) {
  std::string message = column > 0 ? "column " + std::to_string(column) + ": " + what : what;
  return fail(std::string(code), std::move(message));
}

OpCode opcode(Op op) {
  switch (op) {
    case Op::kNegate:
      return OpCode::kNegate;
    case Op::kNot:
      return OpCode::kNot;
    case Op::kMul:
      return OpCode::kMul;
    case Op::kDiv:
      return OpCode::kDiv;
    case Op::kMod:
      return OpCode::kMod;
    case Op::kAdd:
      return OpCode::kAdd;
    case Op::kSub:
      return OpCode::kSub;
    case Op::kLess:
      return OpCode::kLess;
    case Op::kLessEqual:
      return OpCode::kLessEqual;
    case Op::kGreater:
      return OpCode::kGreater;
    case Op::kGreaterEqual:
      return OpCode::kGreaterEqual;
    case Op::kEqual:
      return OpCode::kEqual;
    case Op::kNotEqual:
      return OpCode::kNotEqual;
    case Op::kAnd:
      return OpCode::kAnd;
    case Op::kOr:
      return OpCode::kOr;
    case Op::kNone:
      break;
  }
  CHECK(false);
  return OpCode::kConstant;
}

const char* kind_name(ArgKind kind) {
  return kind == ArgKind::kString ? "a string literal" : "a number";
}

// A node's children must precede it: that is what makes every walk over the tree terminate.
bool child_ok(NodeRef child, int parent) { return child.index >= 0 && child.index < parent; }

Result<Instr> compile_variable(const Expr& expr, int i, const SymbolTable& symbols) {
  const Node& node = expr.nodes[static_cast<size_t>(i)];
  if (auto slot = symbols.find_variable(node.text)) {
    return Instr{.code = OpCode::kVariable, .a = *slot};
  }
  std::string what = "unknown variable '" + node.text + "'";
  if (symbols.find_function(node.text)) {
    what += " ('" + node.text + "' is a function; call it with arguments)";
  }
  return compile_error(kRuleUnknownName, expr.column(NodeRef{i}), what);
}

Result<Instr> compile_call(const Expr& expr, int i, const SymbolTable& symbols) {
  const Node& node = expr.nodes[static_cast<size_t>(i)];
  const int column = expr.column(NodeRef{i});
  auto id = symbols.find_function(node.text);
  if (!id) {
    return compile_error(kRuleUnknownName, column, "unknown function '" + node.text + "'");
  }
  const FunctionSpec& spec = symbols.functions[static_cast<size_t>(*id)];
  if (static_cast<size_t>(node.arg_count) != spec.args.size()) {
    return compile_error(kRuleBadCall, column,
                         "function '" + node.text + "' takes " + std::to_string(spec.args.size()) +
                             " argument(s) but got " + std::to_string(node.arg_count));
  }
  CHECK(node.first_arg >= 0 && node.arg_count >= 0 &&
        static_cast<size_t>(node.first_arg + node.arg_count) <= expr.args.size());
  for (int k = 0; k < node.arg_count; ++k) {
    const NodeRef arg = expr.arg(node.first_arg, k);
    CHECK(child_ok(arg, i));
    const ArgKind given =
        expr.node(arg).kind == NodeKind::kString ? ArgKind::kString : ArgKind::kNumber;
    const ArgKind wanted = spec.args[static_cast<size_t>(k)];
    if (given != wanted) {
      return compile_error(kRuleBadCall, expr.column(arg),
                           "argument " + std::to_string(k + 1) + " of '" + node.text +
                               "' must be " + kind_name(wanted) + ", not " + kind_name(given));
    }
  }
  return Instr{.code = OpCode::kCall, .a = *id, .b = node.first_arg, .c = node.arg_count};
}

Result<Instr> compile_node(const Expr& expr, int i, const SymbolTable& symbols) {
  const Node& node = expr.nodes[static_cast<size_t>(i)];
  switch (node.kind) {
    case NodeKind::kNumber:
    case NodeKind::kBoolean:
      return Instr{.code = OpCode::kConstant, .value = node.number};
    case NodeKind::kString:
      return Instr{.code = OpCode::kString};
    case NodeKind::kVariable:
      return compile_variable(expr, i, symbols);
    case NodeKind::kCall:
      return compile_call(expr, i, symbols);
    case NodeKind::kUnary:
      CHECK(child_ok(node.lhs, i) && expr.node(node.lhs).kind != NodeKind::kString);
      return Instr{.code = opcode(node.op), .a = node.lhs.index};
    case NodeKind::kBinary:
      CHECK(child_ok(node.lhs, i) && child_ok(node.rhs, i));
      CHECK(expr.node(node.lhs).kind != NodeKind::kString);
      CHECK(expr.node(node.rhs).kind != NodeKind::kString);
      return Instr{.code = opcode(node.op), .a = node.lhs.index, .b = node.rhs.index};
  }
  CHECK(false);
  return Instr{};
}

// Inlined into apply(), so that an operator is dispatched on once, not twice.
[[gnu::always_inline]] inline double binary(OpCode code, double lhs, double rhs) {
  switch (code) {
    case OpCode::kMul:
      return lhs * rhs;
    case OpCode::kDiv:
      return lhs / rhs;
    case OpCode::kMod:
      return std::fmod(lhs, rhs);
    case OpCode::kAdd:
      return lhs + rhs;
    case OpCode::kSub:
      return lhs - rhs;
    // IEEE ordered comparisons are already false for NaN; only != needs compare().
    case OpCode::kLess:
      return lhs < rhs ? 1.0 : 0.0;
    case OpCode::kLessEqual:
      return lhs <= rhs ? 1.0 : 0.0;
    case OpCode::kGreater:
      return lhs > rhs ? 1.0 : 0.0;
    case OpCode::kGreaterEqual:
      return lhs >= rhs ? 1.0 : 0.0;
    case OpCode::kEqual:
      return lhs == rhs ? 1.0 : 0.0;
    case OpCode::kNotEqual:
      return compare(Op::kNotEqual, lhs, rhs);
    default:
      break;
  }
  CHECK(false);
  return 0.0;
}

// The value of node `i` of `expr` at `env`, given `operand(j)`, the value of node j: evaluate()
// computes operands again where they are read, NodeValues once. `&&` and `||` short-circuit.
template <typename Operand>
double apply(const CompiledExpr& expr, int i, const Environment& env, const Operand& operand);

// Out of line so that the argument buffer lives only in frames that make a call.
template <typename Operand>
[[gnu::noinline]] double call(const CompiledExpr& expr,
                              const Instr& in,
                              const Environment& env,
                              const Operand& operand) {
  std::array<Value, kMaxCallArgs> args;
  CHECK(in.c <= kMaxCallArgs);
  for (int k = 0; k < in.c; ++k) {
    const int node = expr.expr().arg(in.b, k).index;
    if (expr.code()[static_cast<size_t>(node)].code == OpCode::kString) {
      args[static_cast<size_t>(k)] =
          Value::of_string(expr.expr().nodes[static_cast<size_t>(node)].text);
    } else {
      args[static_cast<size_t>(k)] = Value::of_number(operand(node));
    }
  }
  return env.call(in.a, std::span<const Value>(args.data(), static_cast<size_t>(in.c)));
}

template <typename Operand>
double apply(const CompiledExpr& expr, int i, const Environment& env, const Operand& operand) {
  const Instr& in = expr.code()[static_cast<size_t>(i)];
  switch (in.code) {
    case OpCode::kConstant:
      return in.value;
    case OpCode::kVariable:
      return env.variable(in.a);
    case OpCode::kCall:
      return call(expr, in, env, operand);
    case OpCode::kNegate:
      return -operand(in.a);
    case OpCode::kNot:
      return truthy(operand(in.a)) ? 0.0 : 1.0;
    case OpCode::kAnd:
      return truthy(operand(in.a)) && truthy(operand(in.b)) ? 1.0 : 0.0;
    case OpCode::kOr:
      return truthy(operand(in.a)) || truthy(operand(in.b)) ? 1.0 : 0.0;
    case OpCode::kString:
      break;
    default: {
      // Sequenced so that calls reach the Environment left to right.
      const double lhs = operand(in.a);
      return binary(in.code, lhs, operand(in.b));
    }
  }
  CHECK(false);  // compile() admits string literals only as call arguments
  return 0.0;
}

class Evaluator {
 public:
  Evaluator(const CompiledExpr& expr, const Environment& env) : expr_(expr), env_(env) {}

  [[nodiscard]] double run(int i) const {
    return apply(expr_, i, env_, [this](int j) { return operand(j); });
  }

 private:
  // An operand's value: a constant or a variable, as most operands are, read in place.
  [[nodiscard]] double operand(int j) const {
    const Instr& in = expr_.code()[static_cast<size_t>(j)];
    if (in.code == OpCode::kConstant) {
      return in.value;
    }
    if (in.code == OpCode::kVariable) {
      return env_.variable(in.a);
    }
    return run(j);
  }

  const CompiledExpr& expr_;
  const Environment& env_;
};

void check_value_node(const CompiledExpr& expr, NodeRef node) {
  CHECK(node.index >= 0 && static_cast<size_t>(node.index) < expr.code().size());
  CHECK(expr.code()[static_cast<size_t>(node.index)].code != OpCode::kString);
}

}  // namespace

std::optional<int> SymbolTable::find_variable(std::string_view name) const {
  for (size_t i = 0; i < variables.size(); ++i) {
    if (variables[i] == name) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

std::optional<int> SymbolTable::find_function(std::string_view name) const {
  for (size_t i = 0; i < functions.size(); ++i) {
    if (functions[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

Result<CompiledExpr> compile(const Expr& expr, const SymbolTable& symbols) {
  CHECK(expr.root.index >= 0 && static_cast<size_t>(expr.root.index) < expr.nodes.size());
  CHECK(expr.nodes[static_cast<size_t>(expr.root.index)].kind != NodeKind::kString);
  std::vector<Instr> code;
  code.reserve(expr.nodes.size());
  for (int i = 0; i < static_cast<int>(expr.nodes.size()); ++i) {
    auto instr = compile_node(expr, i, symbols);
    if (!instr) {
      return std::unexpected(std::move(instr.error()));
    }
    code.push_back(*instr);
  }
  return CompiledExpr(expr, std::move(code));
}

Result<CompiledExpr> compile(std::string_view source, const SymbolTable& symbols) {
  auto expr = parse(source);
  if (!expr) {
    return std::unexpected(std::move(expr.error()));
  }
  return compile(*expr, symbols);
}

double compare(Op op, double lhs, double rhs) {
  if (std::isnan(lhs) || std::isnan(rhs)) {
    return 0.0;
  }
  switch (op) {
    case Op::kLess:
      return lhs < rhs ? 1.0 : 0.0;
    case Op::kLessEqual:
      return lhs <= rhs ? 1.0 : 0.0;
    case Op::kGreater:
      return lhs > rhs ? 1.0 : 0.0;
    case Op::kGreaterEqual:
      return lhs >= rhs ? 1.0 : 0.0;
    case Op::kEqual:
      return lhs == rhs ? 1.0 : 0.0;
    case Op::kNotEqual:
      return lhs != rhs ? 1.0 : 0.0;
    default:
      break;
  }
  CHECK(false);  // not a comparison operator
  return 0.0;
}

double evaluate(const CompiledExpr& expr, const Environment& env) {
  return Evaluator(expr, env).run(expr.root().index);
}

double evaluate_node(const CompiledExpr& expr, NodeRef node, const Environment& env) {
  check_value_node(expr, node);
  return Evaluator(expr, env).run(node.index);
}

NodeValues::NodeValues(const CompiledExpr& expr, const Environment& env)
    : expr_(expr), env_(env), values_(expr.code().size()) {}

double NodeValues::at(NodeRef node) {
  check_value_node(expr_, node);
  return value(node.index);
}

double NodeValues::value(int i) {
  std::optional<double>& v = values_[static_cast<size_t>(i)];
  if (!v) {
    v = apply(expr_, i, env_, [this](int j) { return value(j); });
  }
  return *v;
}

}  // namespace segd::core::rules
