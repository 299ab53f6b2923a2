#pragma once

#include <cstdint>
#include <optional>

#include "core/features/customer_state.h"
#include "core/rules/rules.h"
#include "core/segments/rule_expr.h"
#include "core/segments/rule_set.h"

namespace segd::core {

/// The earlier of two times; nullopt (never) is later than any.
[[nodiscard]] inline std::optional<int64_t> earlier(std::optional<int64_t> a,
                                                    std::optional<int64_t> b) {
  if (!a) {
    return b;
  }
  return b && *b < *a ? b : a;
}

/// The earlier of two wake-ups; either one's tie to the model counts, and it is anchored when
/// both are. Inline: the rules' evaluation takes one per segment.
[[nodiscard]] inline Wakeup earliest(const Wakeup& a, const Wakeup& b) {
  return {earlier(a.due_ms, b.due_ms), a.model_bound || b.model_bound, a.anchored && b.anchored};
}

/// When stream time alone could change the value of rule `e` for the customer `s`, whose
/// features at `ctx.at` are `features` and whose variables `env` holds. Walks the rule: a
/// comparison whose two sides move in opposite directions or not at all (node_trend()), such as a
/// bare time-varying feature against a time-free threshold, is solved exactly, as the first
/// millisecond at which it flips; so is a bare score against a time-free threshold when the
/// model can solve it (Scorer::score_change_ms(): p_alive, expected_orders_90d, clv_365d, rfm_r);
/// an `&&` whose time-free side is false (or an `||` whose time-free side is true) cannot change at
/// all; anything else falls back to each time-varying feature's next step (daily for continuous
/// values and for scores).
[[nodiscard]] Wakeup find_wakeup(const RuleExpr& e,
                                 const CustomerState& s,
                                 const FeatureVector& features,
                                 const rules::Environment& env,
                                 const EvaluationContext& ctx);

/// The customer's timer for the earliest wake-up of its rules: `due_ms`, or kWhenAModelIsActive
/// for a model-bound wake-up that time alone cannot bring (scores waiting for a model).
[[nodiscard]] std::optional<int64_t> timer_due(const Wakeup& w);

}  // namespace segd::core
