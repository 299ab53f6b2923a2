#pragma once

#include "core/features/feature_catalog.h"
#include "core/rules/rules.h"
#include "core/segments/rule_expr.h"

namespace segd::core {

/// The trend of `a + b`: kFlat leaves the other side's, opposite or unknown ones give kAny.
[[nodiscard]] Trend combined(Trend a, Trend b);
/// The trend of `-a`.
[[nodiscard]] Trend reversed(Trend a);

/// Which way the sub-expression at `node` can move while only stream time passes, for the
/// customer whose variables `env` holds: a variable has its feature's trend (scores kAny), and
/// `+ -`, unary `-`, `min`, `max`, and `*` or `/` by a time-free finite factor keep a trend (the
/// factor's sign, read from `env`, decides which). Anything else that time can move is kAny:
/// `abs`, `%`, a product of two time-varying values, a division by one, comparisons and logic.
/// Rounding keeps these trends: IEEE addition, multiplication by a constant, min and max are
/// monotone in each argument.
[[nodiscard]] Trend node_trend(const RuleExpr& e,
                               rules::NodeRef node,
                               const rules::Environment& env);

}  // namespace segd::core
