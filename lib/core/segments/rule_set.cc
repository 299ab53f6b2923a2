#include "core/segments/rule_set.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "core/features/feature_values.h"
#include "core/rules/rules.h"

namespace segd::core {
namespace {

constexpr size_t kSlotCount = kFeatureCount + kScoreCount;
using Slots = std::array<double, kSlotCount>;

enum FunctionId : int { kAffinity = 0, kMin = 1, kMax = 2, kAbs = 3 };

const rules::SymbolTable& symbol_table() {
  static const rules::SymbolTable table = [] {
    rules::SymbolTable t;
    for (size_t i = 0; i < kFeatureCount; ++i) {
      t.variables.emplace_back(feature_info(static_cast<FeatureId>(i)).name);
    }
    for (size_t i = 0; i < kScoreCount; ++i) {
      t.variables.emplace_back(score_name(static_cast<ScoreId>(i)));
    }
    using rules::ArgKind;
    t.functions = {{"affinity", {ArgKind::kString}},
                   {"min", {ArgKind::kNumber, ArgKind::kNumber}},
                   {"max", {ArgKind::kNumber, ArgKind::kNumber}},
                   {"abs", {ArgKind::kNumber}}};
    return t;
  }();
  return table;
}

class CustomerEnvironment final : public rules::Environment {
 public:
  CustomerEnvironment(const CustomerState& state, const Slots& slots)
      : state_(state), slots_(slots) {}

  double variable(int slot) const override { return slots_[static_cast<size_t>(slot)]; }

  double call(int function, std::span<const rules::Value> args) const override {
    switch (function) {
      case kAffinity:
        return affinity(state_, args[0].text);
      case kMin:
        return std::min(args[0].number, args[1].number);
      case kMax:
        return std::max(args[0].number, args[1].number);
      case kAbs:
        return std::abs(args[0].number);
      default:
        return 0.0;
    }
  }

 private:
  const CustomerState& state_;
  const Slots& slots_;
};

bool slot_is_timed(int slot) {
  if (static_cast<size_t>(slot) >= kFeatureCount) {
    return true;  // Scores read T, which steps every day.
  }
  return feature_info(static_cast<FeatureId>(slot)).behaviour != TimeBehaviour::kConstant;
}

struct CompiledExpr {
  std::string source;
  rules::CompiledExpr expr;
  std::vector<int> variables;
  std::vector<uint8_t> timed;  // Per node: can its value change while only time passes?
  std::vector<std::vector<int>> timed_slots;  // Per node: its time-varying variables.
  std::vector<std::optional<int>> bare_slot;  // Per node: the slot when it is a bare variable.
};

}  // namespace

struct RuleSet::Compiled {
  CompiledExpr enter;
  std::optional<CompiledExpr> exit;
};

namespace {

// Per-node facts the wake-up analysis reads on every evaluation, computed once.
void analyse_nodes(CompiledExpr& ce) {
  const size_t n = ce.expr.expr().nodes.size();
  ce.timed.assign(n, 0);
  ce.timed_slots.assign(n, {});
  ce.bare_slot.assign(n, std::nullopt);
  for (size_t i = 0; i < n; ++i) {
    const rules::NodeRef ref{static_cast<int>(i)};
    for (const int slot : rules::variables_used(ce.expr, ref)) {
      if (slot_is_timed(slot)) {
        ce.timed_slots[i].push_back(slot);
      }
    }
    ce.timed[i] = ce.timed_slots[i].empty() ? 0 : 1;
    ce.bare_slot[i] = rules::is_bare_variable(ce.expr, ref);
  }
}

Result<CompiledExpr> compile_one(const std::string& segment,
                                 const char* which,
                                 const std::string& source) {
  auto parsed = rules::parse(source);
  if (!parsed) {
    return fail(parsed.error().code,
                "segment '" + segment + "' " + which + ": " + parsed.error().message);
  }
  auto compiled = rules::compile(*parsed, symbol_table());
  if (!compiled) {
    return fail(compiled.error().code,
                "segment '" + segment + "' " + which + ": " + compiled.error().message);
  }
  CompiledExpr out{source, std::move(*compiled), {}, {}, {}, {}};
  out.variables = rules::variables_used(out.expr);
  analyse_nodes(out);
  return out;
}

// A comparison `variable op value` with a time-free right-hand side.
struct Threshold {
  rules::Op op;
  double value;
};

// When stream time alone may next change a rule.
struct Wakeup {
  std::optional<int64_t> due_ms;  // The earliest time it can.
  bool awaits_model = false;      // It reads scores that are NaN only for want of a model.
};

Wakeup earliest(const Wakeup& a, const Wakeup& b) {
  Wakeup w{a.due_ms, a.awaits_model || b.awaits_model};
  if (b.due_ms && (!w.due_ms || *b.due_ms < *w.due_ms)) {
    w.due_ms = b.due_ms;
  }
  return w;
}

int64_t next_day_ms(TimestampMs at) { return (day_of(at) + 1) * kMsPerDay; }

// Scores move with time through what they read: T (p_alive, expected_orders_90d, clv_365d), the
// days since the last purchase (rfm_r) and the days since the last event (cluster and
// cluster_distance, through log1p_overdue); they are re-checked at each day boundary. The
// purchase scores are NaN for a customer who never bought, whatever the time. Without an active
// model every score is NaN, which only a model version can change: the rule waits for one.
Wakeup score_wakeup(const CustomerState& s, ScoreId id, const EvaluationContext& ctx) {
  const bool clustering = id == ScoreId::kCluster || id == ScoreId::kClusterDistance;
  if (!clustering && s.orders_total == 0) {
    return {};
  }
  if (ctx.model_version == 0) {
    return {.awaits_model = true};
  }
  return {.due_ms = next_day_ms(ctx.at)};
}

// Earliest time after `ctx.at` at which a timed variable can change the rule: when `threshold`
// is known, the first time the comparison with it flips; else the variable's next change.
Wakeup slot_wakeup(const CustomerState& s,
                   int slot,
                   std::optional<Threshold> threshold,
                   const EvaluationContext& ctx) {
  const TimestampMs now = ctx.at;
  if (static_cast<size_t>(slot) >= kFeatureCount) {
    return score_wakeup(s, static_cast<ScoreId>(static_cast<size_t>(slot) - kFeatureCount), ctx);
  }
  const auto id = static_cast<FeatureId>(slot);
  if (threshold) {
    if (std::isnan(threshold->value)) {
      return {};  // A comparison with NaN is false forever.
    }
    const auto holds = [t = *threshold](double v) {
      return rules::truthy(rules::compare(t.op, v, t.value));
    };
    return {comparison_change_ms(s, id, holds, threshold->value, now)};
  }
  switch (feature_info(id).behaviour) {
    case TimeBehaviour::kConstant:
      return {};
    case TimeBehaviour::kStep:
      return {next_step_ms(s, id, now)};
    case TimeBehaviour::kIncreasing:
    case TimeBehaviour::kDecaying:
      // Not a plain threshold: re-check daily while the value can move (an undefined clock, NaN,
      // or a decayed count at 0 stays what it is).
      if (!moves_with_time(s, id, now)) {
        return {};
      }
      return {now.value() + kMsPerDay};
  }
  return {};
}

// The customer's timer. Scores that wait for a model cannot change before one is active: with
// nothing else that time can change, the customer waits for that (kWhenAModelIsActive); else it
// is re-checked at each day boundary until then, as it would be under a model.
std::optional<int64_t> timer_due(const Wakeup& w, TimestampMs at) {
  if (!w.awaits_model) {
    return w.due_ms;
  }
  if (!w.due_ms) {
    return kWhenAModelIsActive;
  }
  return std::min(*w.due_ms, next_day_ms(at));
}

// Walks a rule to find when stream time alone could change its value: comparisons of a bare
// time-varying feature with a time-free threshold are solved exactly; an `&&` whose time-free
// side is false (or an `||` whose time-free side is true) cannot change at all; anything else
// falls back to each time-varying feature's next step.
class WakeupFinder {
 public:
  WakeupFinder(const CompiledExpr& ce,
               const CustomerState& s,
               const rules::Environment& env,
               const EvaluationContext& ctx)
      : ce_(ce), s_(s), env_(env), ctx_(ctx) {}

  Wakeup at(rules::NodeRef n) const {
    if (!ce_.timed[static_cast<size_t>(n.index)]) {
      return {};
    }
    const rules::Node& node = ce_.expr.expr().node(n);
    if (node.kind == rules::NodeKind::kUnary && node.op == rules::Op::kNot) {
      return at(node.lhs);
    }
    if (node.kind != rules::NodeKind::kBinary) {
      return fallback(n);
    }
    if (node.op == rules::Op::kAnd || node.op == rules::Op::kOr) {
      const bool settled_by = node.op == rules::Op::kOr;  // The value that decides alone.
      for (const rules::NodeRef side : {node.lhs, node.rhs}) {
        if (!timed(side) &&
            rules::truthy(rules::evaluate_node(ce_.expr, side, env_)) == settled_by) {
          return {};
        }
      }
      return earliest(at(node.lhs), at(node.rhs));
    }
    if (rules::is_comparison(node.op)) {
      for (const auto& [bare, other] :
           {std::pair{node.lhs, node.rhs}, std::pair{node.rhs, node.lhs}}) {
        const auto& slot = ce_.bare_slot[static_cast<size_t>(bare.index)];
        if (slot && !timed(other)) {
          // Normalised to `variable op value`.
          const rules::Op op = bare == node.lhs ? node.op : rules::mirrored(node.op);
          return slot_wakeup(s_, *slot, Threshold{op, rules::evaluate_node(ce_.expr, other, env_)},
                             ctx_);
        }
      }
    }
    return fallback(n);
  }

 private:
  bool timed(rules::NodeRef n) const { return ce_.timed[static_cast<size_t>(n.index)] != 0; }

  Wakeup fallback(rules::NodeRef n) const {
    Wakeup best;
    for (const int slot : ce_.timed_slots[static_cast<size_t>(n.index)]) {
      best = earliest(best, slot_wakeup(s_, slot, std::nullopt, ctx_));
    }
    return best;
  }

  const CompiledExpr& ce_;
  const CustomerState& s_;
  const rules::Environment& env_;
  const EvaluationContext& ctx_;
};

std::string slot_name(int slot) { return symbol_table().variables[static_cast<size_t>(slot)]; }

std::vector<DecidingValue> deciding_values(const CompiledExpr& ce, const Slots& slots) {
  std::vector<DecidingValue> values;
  values.reserve(ce.variables.size());
  for (const int slot : ce.variables) {
    values.push_back({slot_name(slot), slots[static_cast<size_t>(slot)]});
  }
  std::sort(values.begin(), values.end(),
            [](const DecidingValue& a, const DecidingValue& b) { return a.name < b.name; });
  return values;
}

Slots make_slots(const FeatureVector& features, const ScoreVector& scores) {
  Slots slots;
  std::copy(features.begin(), features.end(), slots.begin());
  std::copy(scores.begin(), scores.end(), slots.begin() + kFeatureCount);
  return slots;
}

}  // namespace

RuleSet::RuleSet(std::vector<SegmentDefinition> definitions, std::vector<Compiled> compiled)
    : definitions_(std::move(definitions)), compiled_(std::move(compiled)) {
  for (const Compiled& c : compiled_) {
    for (const CompiledExpr* e : {&c.enter, c.exit ? &*c.exit : nullptr}) {
      for (const int slot : e ? e->variables : std::vector<int>{}) {
        if (static_cast<size_t>(slot) >= kFeatureCount) {
          scores_used_ |= ScoreMask{1} << (static_cast<size_t>(slot) - kFeatureCount);
        } else {
          features_needed_.set(static_cast<size_t>(slot));
        }
      }
    }
  }
  if (scores_used_ != 0) {
    features_needed_.set();
  }
}

RuleSet::~RuleSet() = default;

Result<std::shared_ptr<const RuleSet>> RuleSet::compile(std::vector<SegmentDefinition> defs) {
  std::vector<Compiled> compiled;
  std::vector<std::string> names;
  for (const SegmentDefinition& d : defs) {
    if (d.name.empty() || d.enter.empty()) {
      return fail("rule_empty", "segment '" + d.name + "': name and enter are required");
    }
    if (d.name.size() > kMaxSegmentNameBytes ||
        !std::all_of(d.name.begin(), d.name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        })) {
      // SegmentChange ids join customer, segment and version with '/'; metric labels and state
      // keys carry the name too.
      return fail("rule_bad_name", "segment '" + d.name + "': a name is 1.." +
                                       std::to_string(kMaxSegmentNameBytes) +
                                       " characters of A-Z a-z 0-9 _ . -");
    }
    if (std::find(names.begin(), names.end(), d.name) != names.end()) {
      return fail("rule_duplicate_segment", "segment '" + d.name + "' is defined twice");
    }
    names.push_back(d.name);
    auto enter = compile_one(d.name, "enter", d.enter);
    if (!enter) {
      return std::unexpected(enter.error());
    }
    Compiled c{std::move(*enter), std::nullopt};
    if (!d.exit.empty()) {
      auto exit = compile_one(d.name, "exit", d.exit);
      if (!exit) {
        return std::unexpected(exit.error());
      }
      c.exit = std::move(*exit);
    }
    compiled.push_back(std::move(c));
  }
  return std::shared_ptr<const RuleSet>(new RuleSet(std::move(defs), std::move(compiled)));
}

void RuleSet::exit_removed_segments(CustomerState& state,
                                    const EvaluationContext& ctx,
                                    Evaluation& out) const {
  for (auto it = state.segments.begin(); it != state.segments.end();) {
    const bool defined = std::any_of(definitions_.begin(), definitions_.end(),
                                     [&](const SegmentDefinition& d) { return d.name == *it; });
    if (defined) {
      ++it;
      continue;
    }
    SegmentChange change;
    change.event_id = change_event_id(state.customer_id, *it, state.incarnation, state.version);
    change.customer_id = state.customer_id;
    change.segment = *it;
    change.change = ChangeKind::kExit;
    change.at = ctx.at;
    change.model_version = ctx.model_version;
    change.cause = ctx.cause;
    change.cause_event_id = std::string(ctx.cause_event_id);
    change.reason = "segment removed from the rules";
    out.changes.push_back(std::move(change));
    it = state.segments.erase(it);
  }
}

Evaluation RuleSet::evaluate(CustomerState& state,
                             const FeatureVector& features,
                             const ScoreVector& scores,
                             const EvaluationContext& ctx) const {
  const Slots slots = make_slots(features, scores);
  const CustomerEnvironment env(state, slots);
  Evaluation out;
  Wakeup next;
  exit_removed_segments(state, ctx, out);
  for (size_t i = 0; i < compiled_.size(); ++i) {
    const SegmentDefinition& def = definitions_[i];
    const Compiled& c = compiled_[i];
    auto pos = std::lower_bound(state.segments.begin(), state.segments.end(), def.name);
    const bool member = pos != state.segments.end() && *pos == def.name;
    const bool enter_true = rules::truthy(rules::evaluate(c.enter.expr, env));
    bool now_member = member;
    const CompiledExpr* decided_by = &c.enter;
    if (!member && enter_true) {
      now_member = true;
    } else if (member) {
      if (c.exit) {
        now_member = !rules::truthy(rules::evaluate(c.exit->expr, env));
        decided_by = &*c.exit;
      } else {
        now_member = enter_true;
      }
    }
    if (now_member != member) {
      SegmentChange change;
      change.event_id =
          change_event_id(state.customer_id, def.name, state.incarnation, state.version);
      change.customer_id = state.customer_id;
      change.segment = def.name;
      change.change = now_member ? ChangeKind::kEnter : ChangeKind::kExit;
      change.at = ctx.at;
      change.model_version = ctx.model_version;
      change.cause = ctx.cause;
      change.cause_event_id = std::string(ctx.cause_event_id);
      change.reason = (now_member || c.exit) ? decided_by->source : "!(" + c.enter.source + ")";
      change.values = deciding_values(*decided_by, slots);
      out.changes.push_back(std::move(change));
      if (now_member) {
        state.segments.insert(pos, def.name);
      } else {
        state.segments.erase(pos);
      }
    }
    // What can flip next: the exit rule for members (when there is one), else the enter rule.
    const CompiledExpr& can_flip = now_member && c.exit ? *c.exit : c.enter;
    next = earliest(next, WakeupFinder(can_flip, state, env, ctx).at(can_flip.expr.expr().root));
  }
  out.next_due_ms = timer_due(next, ctx.at);
  return out;
}

std::vector<SegmentChange> RuleSet::explain(const CustomerState& state,
                                            const FeatureVector& features,
                                            const ScoreVector& scores,
                                            TimestampMs at) const {
  const Slots slots = make_slots(features, scores);
  std::vector<SegmentChange> out;
  for (size_t i = 0; i < compiled_.size(); ++i) {
    const SegmentDefinition& def = definitions_[i];
    if (!std::binary_search(state.segments.begin(), state.segments.end(), def.name)) {
      continue;
    }
    SegmentChange why;
    why.customer_id = state.customer_id;
    why.segment = def.name;
    why.at = at;
    why.reason = compiled_[i].enter.source;
    why.values = deciding_values(compiled_[i].enter, slots);
    out.push_back(std::move(why));
  }
  return out;
}

}  // namespace segd::core
