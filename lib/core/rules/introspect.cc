#include "core/rules/introspect.h"

#include <algorithm>

#include "core/common/check.h"

namespace segd::core::rules {

namespace {

// Walks the subtree at `root` with an explicit stack (no recursion), children left to right,
// calling `visit(index)` in pre-order.
template <typename Visit>
void walk(const Expr& expr, NodeRef root, Visit visit) {
  CHECK(root.index >= 0 && static_cast<size_t>(root.index) < expr.nodes.size());
  std::vector<int> stack{root.index};
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    visit(i);
    const Node& node = expr.nodes[static_cast<size_t>(i)];
    switch (node.kind) {
      case NodeKind::kBinary:
        stack.push_back(node.rhs.index);
        stack.push_back(node.lhs.index);
        break;
      case NodeKind::kUnary:
        stack.push_back(node.lhs.index);
        break;
      case NodeKind::kCall:
        for (int k = node.arg_count - 1; k >= 0; --k) {
          stack.push_back(expr.arg(node.first_arg, k).index);
        }
        break;
      case NodeKind::kNumber:
      case NodeKind::kBoolean:
      case NodeKind::kString:
      case NodeKind::kVariable:
        break;
    }
  }
}

std::vector<int> symbols_used(const CompiledExpr& expr, NodeRef node, OpCode wanted) {
  std::vector<int> out;
  const auto code = expr.code();
  walk(expr.expr(), node, [&](int i) {
    if (code[static_cast<size_t>(i)].code == wanted) {
      out.push_back(code[static_cast<size_t>(i)].a);
    }
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Constant arguments are evaluated without any environment; reaching one is a bug.
class NoEnvironment final : public Environment {
 public:
  [[nodiscard]] double variable(int /*slot*/) const override {
    CHECK(false);
    return 0.0;
  }
  [[nodiscard]] double call(int /*function*/, std::span<const Value> /*args*/) const override {
    CHECK(false);
    return 0.0;
  }
};

}  // namespace

std::vector<int> variables_used(const CompiledExpr& expr) {
  return variables_used(expr, expr.root());
}

std::vector<int> variables_used(const CompiledExpr& expr, NodeRef node) {
  return symbols_used(expr, node, OpCode::kVariable);
}

std::vector<int> functions_used(const CompiledExpr& expr) {
  return functions_used(expr, expr.root());
}

std::vector<int> functions_used(const CompiledExpr& expr, NodeRef node) {
  return symbols_used(expr, node, OpCode::kCall);
}

std::vector<Comparison> comparisons(const CompiledExpr& expr) {
  std::vector<Comparison> out;
  const Expr& tree = expr.expr();
  walk(tree, expr.root(), [&](int i) {
    const Node& node = tree.nodes[static_cast<size_t>(i)];
    if (node.kind == NodeKind::kBinary && is_comparison(node.op)) {
      out.push_back(
          Comparison{.op = node.op, .node = NodeRef{i}, .lhs = node.lhs, .rhs = node.rhs});
    }
  });
  return out;
}

Op mirrored(Op comparison) {
  switch (comparison) {
    case Op::kLess:
      return Op::kGreater;
    case Op::kLessEqual:
      return Op::kGreaterEqual;
    case Op::kGreater:
      return Op::kLess;
    case Op::kGreaterEqual:
      return Op::kLessEqual;
    case Op::kEqual:
    case Op::kNotEqual:
      return comparison;
    default:
      break;
  }
  CHECK(false);  // not a comparison operator
  return comparison;
}

std::optional<int> is_bare_variable(const CompiledExpr& expr, NodeRef node) {
  CHECK(node.index >= 0 && static_cast<size_t>(node.index) < expr.code().size());
  const Instr& in = expr.code()[static_cast<size_t>(node.index)];
  if (in.code != OpCode::kVariable) {
    return std::nullopt;
  }
  return in.a;
}

std::optional<BareCall> is_bare_call(const CompiledExpr& expr, NodeRef node) {
  CHECK(node.index >= 0 && static_cast<size_t>(node.index) < expr.code().size());
  const Instr& in = expr.code()[static_cast<size_t>(node.index)];
  if (in.code != OpCode::kCall) {
    return std::nullopt;
  }
  BareCall call{.function = in.a, .args = {}};
  for (int k = 0; k < in.c; ++k) {
    const NodeRef arg = expr.expr().arg(in.b, k);
    if (expr.code()[static_cast<size_t>(arg.index)].code == OpCode::kString) {
      call.args.push_back(Value::of_string(expr.expr().node(arg).text));
    } else if (is_constant(expr, arg)) {
      call.args.push_back(Value::of_number(evaluate_node(expr, arg, NoEnvironment{})));
    } else {
      return std::nullopt;
    }
  }
  return call;
}

bool is_constant(const CompiledExpr& expr, NodeRef node) {
  bool constant = true;
  const auto code = expr.code();
  walk(expr.expr(), node, [&](int i) {
    const OpCode op = code[static_cast<size_t>(i)].code;
    constant = constant && op != OpCode::kVariable && op != OpCode::kCall;
  });
  return constant;
}

}  // namespace segd::core::rules
