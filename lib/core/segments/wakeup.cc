#include "core/segments/wakeup.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <span>

#include "core/engine/scorer.h"
#include "core/features/feature_values.h"
#include "core/segments/time_trend.h"

namespace segd::core {
namespace {

using rules::NodeRef;
using rules::Op;

// A comparison `variable op value` with a time-free right-hand side.
struct Threshold {
  Op op;
  double value;
};

// A monotone comparison that has not flipped this long after the evaluation is re-checked then
// (2^40 ms, about 35 years): an ever-growing clock may still cross a far threshold.
constexpr int64_t kSearchHorizonMs = int64_t{1} << 40;

int64_t next_day_ms(TimestampMs at) { return (day_of(at) + 1) * kMsPerDay; }

// Scores move with time through what they read: T (p_alive, expected_orders_90d, clv_365d), the
// days since the last purchase (rfm_r) and the days since the last event (cluster and
// cluster_distance, through log1p_overdue); rfm_f and rfm_m (orders and money) do not. A
// comparison with a threshold is solved when the model can (p_alive, expected_orders_90d,
// clv_365d, rfm_r, cluster_distance); the cluster, in any use, wakes where the assignment
// changes, and rfm_r in any other use (`==`, arithmetic) where its value does; the others
// (p_alive == 0.5, a purchase score in arithmetic) are re-checked at each day boundary. The
// purchase scores are NaN for a customer who never bought, whatever the time or the model. Every
// other score wake-up is model-bound: a newer model version re-checks the customer when it becomes
// active; without an active model every score is NaN, which only that can change.
Wakeup score_wakeup(const CustomerState& s,
                    ScoreId id,
                    std::optional<Threshold> threshold,
                    const FeatureVector& features,
                    const EvaluationContext& ctx) {
  const bool clustering = id == ScoreId::kCluster || id == ScoreId::kClusterDistance;
  if (!clustering && s.orders_total == 0) {
    return {};
  }
  if (ctx.model_version == 0 || id == ScoreId::kRfmF || id == ScoreId::kRfmM) {
    return {.model_bound = true};  // rfm_f and rfm_m read no clock: only a model changes them.
  }
  // What the model is asked: when an ordered comparison (< <= > >=) flips, or, where that is
  // one-way, when the score itself changes: the cluster in any use (a comparison of it can change
  // only where the assignment does; `holds` is not read) and rfm_r in `==`, `!=` or arithmetic
  // (it never rises, so it never comes back to a value it left).
  const bool ordered = threshold && threshold->op != Op::kEqual && threshold->op != Op::kNotEqual;
  std::function<bool(double)> holds;
  double value = 0.0;
  if (ctx.scorer == nullptr) {
    // No model to ask.
  } else if (id == ScoreId::kCluster) {
    holds = [](double) { return false; };
  } else if (ordered) {
    holds = [t = *threshold](double v) { return rules::truthy(rules::compare(t.op, v, t.value)); };
    value = threshold->value;
  } else if (id == ScoreId::kRfmR) {
    value = ctx.scorer->score(s, features, ctx.at,
                              ScoreMask{1} << static_cast<size_t>(id))[static_cast<size_t>(id)];
    holds = [value](double v) { return v == value; };
  }
  if (holds) {
    if (const std::optional<int64_t> due =
            ctx.scorer->score_change_ms(s, features, id, holds, value, ctx.at)) {
      return {.due_ms = due, .model_bound = true};
    }
  }
  return {.due_ms = next_day_ms(ctx.at), .model_bound = true};
}

// Earliest time after `ctx.at` at which a timed variable can change the rule: when `threshold`
// is known, the first time the comparison with it flips; else the variable's next change.
Wakeup slot_wakeup(const CustomerState& s,
                   int slot,
                   std::optional<Threshold> threshold,
                   const FeatureVector& features,
                   const EvaluationContext& ctx) {
  const TimestampMs now = ctx.at;
  if (threshold && std::isnan(threshold->value)) {
    return {};  // A comparison with NaN is false forever.
  }
  if (static_cast<size_t>(slot) >= kFeatureCount) {
    // Scores are never taken as anchored: their models change beside the state.
    Wakeup w = score_wakeup(s, static_cast<ScoreId>(static_cast<size_t>(slot) - kFeatureCount),
                            threshold, features, ctx);
    w.anchored = false;
    return w;
  }
  const auto id = static_cast<FeatureId>(slot);
  if (threshold) {
    const auto holds = [t = *threshold](double v) {
      return rules::truthy(rules::compare(t.op, v, t.value));
    };
    bool anchored = true;
    const std::optional<int64_t> due =
        comparison_change_ms(s, id, holds, threshold->value, now, &anchored);
    return {.due_ms = due, .anchored = anchored};
  }
  switch (feature_info(id).behaviour) {
    case TimeBehaviour::kConstant:
      return {};
    case TimeBehaviour::kStep:
      return {next_step_ms(s, id, now)};
    case TimeBehaviour::kIncreasing:
    case TimeBehaviour::kDecaying:
      // Not in a comparison that can be solved: re-check daily while the value can move (an
      // undefined clock, NaN, or a decayed count at 0 stays what it is).
      if (!moves_with_time(s, id, now)) {
        return {};
      }
      return {.due_ms = now.value() + kMsPerDay, .anchored = false};
  }
  return {};
}

// The customer's variables at a later stream time `at`: the time-varying features as they will
// be then (timed_value(), bit for bit what an evaluation at `at` reads), the others as now.
class EnvironmentAt final : public rules::Environment {
 public:
  EnvironmentAt(const rules::Environment& now, const CustomerState& s, TimestampMs at)
      : now_(now), s_(s), at_(at) {}

  [[nodiscard]] double variable(int slot) const override {
    if (static_cast<size_t>(slot) < kFeatureCount && slot_is_timed(slot)) {
      return timed_value(s_, static_cast<FeatureId>(slot), at_);
    }
    return now_.variable(slot);
  }

  [[nodiscard]] double call(int function, std::span<const rules::Value> args) const override {
    return now_.call(function, args);  // affinity() does not change with time.
  }

 private:
  const rules::Environment& now_;
  const CustomerState& s_;
  TimestampMs at_;
};

// The first millisecond in (from, from + kSearchHorizonMs] at which `holds` is no longer
// `before`, for a `holds` that changes at most once; from + kSearchHorizonMs (a re-check, not
// anchored) when it has not changed by then.
template <typename Holds>
Wakeup first_change(const Holds& holds, int64_t from, bool before) {
  int64_t unchanged = from;
  int64_t changed = from + kSearchHorizonMs;
  if (holds(changed) == before) {
    return {.due_ms = changed, .anchored = false};
  }
  while (changed - unchanged > 1) {
    const int64_t mid = unchanged + (changed - unchanged) / 2;
    (holds(mid) == before ? unchanged : changed) = mid;
  }
  return {.due_ms = changed};
}

// Walks a rule to find when stream time alone could change its value (see find_wakeup()).
class WakeupFinder {
 public:
  WakeupFinder(const RuleExpr& e,
               const CustomerState& s,
               const FeatureVector& features,
               const rules::Environment& env,
               const EvaluationContext& ctx)
      : e_(e),
        s_(s),
        features_(features),
        env_(env),
        ctx_(ctx),
        start_(env, s, ctx.at),
        end_(env, s, TimestampMs{ctx.at.value() + kSearchHorizonMs}) {}

  Wakeup at(NodeRef n) const {
    if (!e_.timed(n)) {
      return {};
    }
    const rules::Node& node = e_.expr.expr().node(n);
    if (node.kind == rules::NodeKind::kUnary && node.op == Op::kNot) {
      return at(node.lhs);
    }
    if (node.kind != rules::NodeKind::kBinary) {
      return fallback(n);
    }
    if (node.op == Op::kAnd || node.op == Op::kOr) {
      const bool settled_by = node.op == Op::kOr;  // The value that decides alone.
      for (const NodeRef side : {node.lhs, node.rhs}) {
        if (!e_.timed(side) &&
            rules::truthy(rules::evaluate_node(e_.expr, side, env_)) == settled_by) {
          return {};
        }
      }
      return earliest(at(node.lhs), at(node.rhs));
    }
    if (rules::is_comparison(node.op)) {
      for (const auto& [bare, other] :
           {std::pair{node.lhs, node.rhs}, std::pair{node.rhs, node.lhs}}) {
        const auto& slot = e_.bare_slot[static_cast<size_t>(bare.index)];
        if (slot && !e_.timed(other) && !steps_one_way(*slot)) {
          // Normalised to `variable op value`.
          const Op op = bare == node.lhs ? node.op : rules::mirrored(node.op);
          return slot_wakeup(s_, *slot, Threshold{op, rules::evaluate_node(e_.expr, other, env_)},
                             features_, ctx_);
        }
      }
      if (const std::optional<Wakeup> w = monotone_comparison(n, node)) {
        return *w;
      }
    }
    return fallback(n);
  }

 private:
  // A window count or T: solved as a monotone comparison, which knows that `orders_30d >= 3`,
  // false now, stays false, where the step-by-step search would wake at the 32nd step.
  static bool steps_one_way(int slot) {
    if (static_cast<size_t>(slot) >= kFeatureCount) {
      return false;
    }
    const FeatureInfo& info = feature_info(static_cast<FeatureId>(slot));
    return info.behaviour == TimeBehaviour::kStep && info.trend != Trend::kAny;
  }

  Wakeup fallback(NodeRef n) const {
    Wakeup best;
    for (const int slot : e_.timed_slots[static_cast<size_t>(n.index)]) {
      best = earliest(best, slot_wakeup(s_, slot, std::nullopt, features_, ctx_));
    }
    return best;
  }

  // A comparison whose sides move apart or together in one direction only (lhs - rhs has a
  // trend) flips at most once: `>` and `>=` can only turn true while lhs - rhs rises, and turn
  // false while it falls, `<` and `<=` the other way round; `==` and `!=` change only where `>=`
  // or `>` does. Found by bisection on the evaluated values; nullopt when the sides have no
  // common trend.
  std::optional<Wakeup> monotone_comparison(NodeRef n, const rules::Node& node) const {
    const Trend gap =
        combined(node_trend(e_, node.lhs, env_), reversed(node_trend(e_, node.rhs, env_)));
    if (gap == Trend::kAny) {
      return std::nullopt;
    }
    const std::vector<int>& slots = e_.timed_slots[static_cast<size_t>(n.index)];
    if (gap == Trend::kFlat || std::none_of(slots.begin(), slots.end(), [this](int slot) {
          return static_cast<size_t>(slot) >= kFeatureCount ||
                 moves_with_time(s_, static_cast<FeatureId>(slot), ctx_.at);
        })) {
      return Wakeup{};
    }
    if (infinities_may_meet(node)) {
      return std::nullopt;
    }
    Wakeup w = node.op == Op::kEqual || node.op == Op::kNotEqual
                   ? earliest(first_flip(Op::kGreaterEqual, node, gap),
                              first_flip(Op::kGreater, node, gap))
                   : first_flip(node.op, node, gap);
    // Evaluated later, the search's far end lies further on, where values this large could
    // overflow and make the search give up: such a wake-up is not anchored.
    const Ends ends = {&*start_values_, &*end_values_};
    if (near_overflow_in(node.lhs, ends) || near_overflow_in(node.rhs, ends)) {
      w.anchored = false;
    }
    return w;
  }

  // Whether infinities can meet on the way and make NaN (inf - inf, inf * 0), which would let a
  // comparison of one-way sides flip more than once: values scaled past the largest double
  // (`days_since_first_seen * 1e308 * 10`). A one-way sub-expression that is infinite at some
  // moment is infinite at one end of the search, so its values at the two ends tell. (A side
  // that is just infinite is harmless: comparisons order infinities.)
  // The values at the two ends are kept per node for the whole walk: each level of a chain
  // `T + T + … + T` reads the whole chain below it (evaluated again at each level, a 1000-term
  // chain took 0.1 s), and every comparison of the rule has the same two ends.
  using Ends = std::array<rules::NodeValues*, 2>;

  bool infinities_may_meet(const rules::Node& node) const {
    if (!start_values_) {
      start_values_.emplace(e_.expr, start_);
      end_values_.emplace(e_.expr, end_);
    }
    const Ends ends = {&*start_values_, &*end_values_};
    return infinities_meet_in(node.lhs, ends) || infinities_meet_in(node.rhs, ends);
  }

  static bool infinite_at_an_end(NodeRef n, const Ends& ends) {
    return std::ranges::any_of(
        ends, [&](rules::NodeValues* values) { return std::isinf(values->at(n)); });
  }

  bool infinities_meet_in(NodeRef n, const Ends& ends) const {
    if (!e_.timed(n)) {
      return false;
    }
    const rules::Instr& code = e_.expr.code()[static_cast<size_t>(n.index)];
    const NodeRef a{code.a};
    const NodeRef b{code.b};
    switch (code.code) {
      case rules::OpCode::kAdd:
      case rules::OpCode::kSub:
        if (e_.timed(a) && e_.timed(b) && infinite_at_an_end(a, ends) &&
            infinite_at_an_end(b, ends)) {
          return true;
        }
        return infinities_meet_in(a, ends) || infinities_meet_in(b, ends);
      case rules::OpCode::kMul:
        for (const auto& [value, factor] : {std::pair{a, b}, std::pair{b, a}}) {
          if (!e_.timed(factor) && rules::evaluate_node(e_.expr, factor, env_) == 0 &&
              infinite_at_an_end(value, ends)) {
            return true;
          }
        }
        return infinities_meet_in(a, ends) || infinities_meet_in(b, ends);
      case rules::OpCode::kDiv:
        return infinities_meet_in(a, ends) || infinities_meet_in(b, ends);
      case rules::OpCode::kNegate:
        return infinities_meet_in(a, ends);
      case rules::OpCode::kCall:
        for (int i = 0; i < code.c; ++i) {
          if (infinities_meet_in(e_.expr.expr().arg(code.b, i), ends)) {
            return true;
          }
        }
        return false;
      default:
        return false;
    }
  }

  // Whether a time-varying part of `n` is non-finite, or beyond 1e300 in magnitude, at either
  // end. Sides are linear in time or decay, and an anchored wake-up is due within 2^40 ms of the
  // evaluation, so a later evaluation's far end at most doubles such values: 1e300 leaves room.
  bool near_overflow_in(NodeRef n, const Ends& ends) const {
    if (!e_.timed(n)) {
      return false;
    }
    constexpr double kRoom = 1e300;
    if (std::ranges::any_of(
            ends, [&](rules::NodeValues* values) { return !(std::abs(values->at(n)) <= kRoom); })) {
      return true;
    }
    const rules::Instr& code = e_.expr.code()[static_cast<size_t>(n.index)];
    switch (code.code) {
      case rules::OpCode::kAdd:
      case rules::OpCode::kSub:
      case rules::OpCode::kMul:
      case rules::OpCode::kDiv:
        return near_overflow_in(NodeRef{code.a}, ends) || near_overflow_in(NodeRef{code.b}, ends);
      case rules::OpCode::kNegate:
        return near_overflow_in(NodeRef{code.a}, ends);
      case rules::OpCode::kCall:
        for (int i = 0; i < code.c; ++i) {
          if (near_overflow_in(e_.expr.expr().arg(code.b, i), ends)) {
            return true;
          }
        }
        return false;
      default:
        return false;
    }
  }

  // When `lhs op rhs` (op one of < <= > >=) of `node` next flips, for sides whose difference has
  // trend `gap` (kUp or kDown); none when it already holds the value it moves towards.
  Wakeup first_flip(Op op, const rules::Node& node, Trend gap) const {
    const auto holds_with = [&](const rules::Environment& env) {
      return rules::truthy(rules::compare(op, rules::evaluate_node(e_.expr, node.lhs, env),
                                          rules::evaluate_node(e_.expr, node.rhs, env)));
    };
    const bool greater = op == Op::kGreater || op == Op::kGreaterEqual;
    const bool can_only_turn_true = (gap == Trend::kUp) == greater;
    const bool now = holds_with(env_);
    if (now == can_only_turn_true) {
      return {};
    }
    const auto holds = [&](int64_t t) {
      return holds_with(EnvironmentAt(env_, s_, TimestampMs{t}));
    };
    return first_change(holds, ctx_.at.value(), now);
  }

  const RuleExpr& e_;
  const CustomerState& s_;
  const FeatureVector& features_;
  const rules::Environment& env_;
  const EvaluationContext& ctx_;
  // The two ends of every bisection: now, and kSearchHorizonMs later.
  const EnvironmentAt start_;
  const EnvironmentAt end_;
  // Their node values, made by the first infinities_may_meet().
  mutable std::optional<rules::NodeValues> start_values_;
  mutable std::optional<rules::NodeValues> end_values_;
};

}  // namespace

Wakeup find_wakeup(const RuleExpr& e,
                   const CustomerState& s,
                   const FeatureVector& features,
                   const rules::Environment& env,
                   const EvaluationContext& ctx) {
  return WakeupFinder(e, s, features, env, ctx).at(e.expr.root());
}

std::optional<int64_t> timer_due(const Wakeup& w) {
  if (w.model_bound && !w.due_ms) {
    return kWhenAModelIsActive;
  }
  return w.due_ms;
}

}  // namespace segd::core
