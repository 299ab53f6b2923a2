#pragma once

#include <cstdint>
#include <optional>

#include "core/features/customer_state.h"
#include "core/rules/rules.h"
#include "core/segments/rule_expr.h"
#include "core/segments/rule_set.h"

namespace segd::core {

/// When stream time alone may next change a rule.
struct Wakeup {
  std::optional<int64_t> due_ms;  ///< The earliest time it can.
  bool awaits_model = false;      ///< It reads scores that are NaN only for want of a model.
};

/// The earlier of two wake-ups; either one's wait for a model counts.
[[nodiscard]] Wakeup earliest(const Wakeup& a, const Wakeup& b);

/// When stream time alone could change the value of rule `e` for the customer `s`, whose
/// variables at `ctx.at` `env` holds. Walks the rule: a comparison whose two sides move in
/// opposite directions or not at all (node_trend()), such as a bare time-varying feature against
/// a time-free threshold, is solved exactly, as the first millisecond at which it flips; an `&&`
/// whose time-free side is false (or an `||` whose time-free side is true) cannot change at all;
/// anything else falls back to each time-varying feature's next step (daily for continuous
/// values and for scores).
[[nodiscard]] Wakeup find_wakeup(const RuleExpr& e,
                                 const CustomerState& s,
                                 const rules::Environment& env,
                                 const EvaluationContext& ctx);

/// The customer's timer for the earliest wake-up of its rules. Scores that wait for a model
/// cannot change before one is active: with nothing else that time can change, the customer
/// waits for that (kWhenAModelIsActive); else it is re-checked at each day boundary until then,
/// as it would be under a model.
[[nodiscard]] std::optional<int64_t> timer_due(const Wakeup& w, TimestampMs at);

}  // namespace segd::core
