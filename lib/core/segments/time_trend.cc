#include "core/segments/time_trend.h"

#include <cmath>

namespace segd::core {
namespace {

using rules::NodeRef;

// The trend of a time-varying value times (or divided by) a time-free one.
Trend scaled(Trend t, double factor, bool divided) {
  if (t == Trend::kAny || !std::isfinite(factor) || (divided && factor == 0)) {
    return Trend::kAny;  // (A score times 0 is NaN until a model is active, then 0.)
  }
  if (factor == 0) {
    return Trend::kFlat;  // 0 times a finite feature, or times one that is NaN for good.
  }
  return factor > 0 ? t : reversed(t);
}

}  // namespace

Trend combined(Trend a, Trend b) {
  if (a == Trend::kFlat) {
    return b;
  }
  if (b == Trend::kFlat || a == b) {
    return a;
  }
  return Trend::kAny;
}

Trend reversed(Trend a) {
  switch (a) {
    case Trend::kUp:
      return Trend::kDown;
    case Trend::kDown:
      return Trend::kUp;
    case Trend::kFlat:
    case Trend::kAny:
      break;
  }
  return a;
}

Trend node_trend(const RuleExpr& e, NodeRef n, const rules::Environment& env) {
  if (!e.timed(n)) {
    return Trend::kFlat;
  }
  const rules::Instr& code = e.expr.code()[static_cast<size_t>(n.index)];
  const auto sub = [&](int index) { return node_trend(e, NodeRef{index}, env); };
  const auto value = [&](int index) { return rules::evaluate_node(e.expr, NodeRef{index}, env); };
  switch (code.code) {
    case rules::OpCode::kVariable:
      if (static_cast<size_t>(code.a) >= kFeatureCount) {
        return Trend::kAny;  // A score.
      }
      return feature_info(static_cast<FeatureId>(code.a)).trend;
    case rules::OpCode::kNegate:
      return reversed(sub(code.a));
    case rules::OpCode::kAdd:
      return combined(sub(code.a), sub(code.b));
    case rules::OpCode::kSub:
      return combined(sub(code.a), reversed(sub(code.b)));
    case rules::OpCode::kMul:
      if (!e.timed(NodeRef{code.b})) {
        return scaled(sub(code.a), value(code.b), false);
      }
      if (!e.timed(NodeRef{code.a})) {
        return scaled(sub(code.b), value(code.a), false);
      }
      return Trend::kAny;
    case rules::OpCode::kDiv:
      if (!e.timed(NodeRef{code.b})) {
        return scaled(sub(code.a), value(code.b), true);
      }
      return Trend::kAny;
    case rules::OpCode::kCall:
      if (code.a == kMin || code.a == kMax) {
        const rules::Expr& expr = e.expr.expr();
        return combined(sub(expr.arg(code.b, 0).index), sub(expr.arg(code.b, 1).index));
      }
      return Trend::kAny;
    default:
      return Trend::kAny;
  }
}

}  // namespace segd::core
