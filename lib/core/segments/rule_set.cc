#include "core/segments/rule_set.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <span>
#include <string_view>

#include "core/features/feature_values.h"
#include "core/rules/rules.h"
#include "core/segments/rule_expr.h"
#include "core/segments/wakeup.h"

namespace segd::core {
namespace {

constexpr size_t kSlotCount = kFeatureCount + kScoreCount;
using Slots = std::array<double, kSlotCount>;

class CustomerEnvironment final : public rules::Environment {
 public:
  CustomerEnvironment(const CustomerState& state, const Slots& slots)
      : state_(state), slots_(slots) {}

  [[nodiscard]] double variable(int slot) const override {
    return slots_[static_cast<size_t>(slot)];
  }

  [[nodiscard]] double call(int function, std::span<const rules::Value> args) const override {
    switch (function) {
      case kAffinity:
        return affinity(state_, args[0].text);
      case kMin:
      case kMax: {
        // A missing argument makes a missing result, whichever side it is on (std::min and
        // std::max return their first argument when either is NaN).
        const double a = args[0].number;
        const double b = args[1].number;
        if (std::isnan(a) || std::isnan(b)) {
          return std::numeric_limits<double>::quiet_NaN();
        }
        return function == kMin ? std::min(a, b) : std::max(a, b);
      }
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

}  // namespace

struct RuleSet::Compiled {
  RuleExpr enter;
  std::optional<RuleExpr> exit;
  EventMask changed_by = 0;   ///< The event types that can change what either rule reads.
  bool reads_scores = false;  ///< Either rule reads a score.
};

namespace {

std::string slot_name(int slot) { return rule_symbols().variables[static_cast<size_t>(slot)]; }

// The features and scores `ce` reads, by name: its variables and its lookups (`affinity("x")`).
std::vector<DecidingValue> deciding_values(const RuleExpr& ce,
                                           const Slots& slots,
                                           const rules::Environment& env) {
  std::vector<DecidingValue> values;
  values.reserve(ce.variables.size() + ce.lookups.size());
  for (const int slot : ce.variables) {
    values.push_back({slot_name(slot), slots[static_cast<size_t>(slot)]});
  }
  for (const RuleExpr::Lookup& l : ce.lookups) {
    values.push_back({l.name, rules::evaluate_node(ce.expr, l.node, env)});
  }
  std::sort(values.begin(), values.end(),
            [](const DecidingValue& a, const DecidingValue& b) { return a.name < b.name; });
  return values;
}

// Adds what `e` reads to `c`: the event types that can change it, and whether it reads a score.
void add_dependencies(const RuleExpr& e, RuleSet::Compiled& c) {
  for (const int slot : e.variables) {
    if (static_cast<size_t>(slot) >= kFeatureCount) {
      c.reads_scores = true;
    } else {
      c.changed_by |= feature_info(static_cast<FeatureId>(slot)).changed_by;
    }
  }
  for (const rules::Instr& code : e.expr.code()) {
    if (code.code == rules::OpCode::kCall && code.a == kAffinity) {
      c.changed_by |= affinity_changed_by();
    }
  }
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
  for (const SegmentDefinition& d : definitions_) {
    sorted_names_.push_back(d.name);
  }
  std::sort(sorted_names_.begin(), sorted_names_.end());
  for (const Compiled& c : compiled_) {
    for (const RuleExpr* e : {&c.enter, c.exit ? &*c.exit : nullptr}) {
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
  std::set<std::string_view> names;
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
    if (!names.insert(d.name).second) {
      return fail("rule_duplicate_segment", "segment '" + d.name + "' is defined twice");
    }
    auto enter = compile_rule_expr(d.name, "enter", d.enter);
    if (!enter) {
      return std::unexpected(enter.error());
    }
    Compiled c{std::move(*enter), std::nullopt};
    add_dependencies(c.enter, c);
    if (!d.exit.empty()) {
      auto exit = compile_rule_expr(d.name, "exit", d.exit);
      if (!exit) {
        return std::unexpected(exit.error());
      }
      c.exit = std::move(*exit);
      add_dependencies(*c.exit, c);
    }
    compiled.push_back(std::move(c));
  }
  return std::shared_ptr<const RuleSet>(new RuleSet(std::move(defs), std::move(compiled)));
}

void RuleSet::exit_removed_segments(CustomerState& state,
                                    const EvaluationContext& ctx,
                                    Evaluation& out) const {
  for (auto it = state.segments.begin(); it != state.segments.end();) {
    if (std::binary_search(sorted_names_.begin(), sorted_names_.end(), *it)) {
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

bool RuleSet::keeps(size_t i, int64_t due_ms, EventMask touched, TimestampMs at) const {
  return due_ms != RuleMemo::kEvaluate && (compiled_[i].changed_by & touched) == 0 &&
         due_ms > at.value();
}

bool RuleSet::keeps_all(const RuleMemo& memo, EventMask touched, TimestampMs at) const {
  if (memo.due_ms.size() != compiled_.size()) {
    return false;
  }
  for (size_t i = 0; i < compiled_.size(); ++i) {
    if (!keeps(i, memo.due_ms[i], touched, at)) {
      return false;
    }
  }
  return true;
}

Evaluation RuleSet::evaluate(CustomerState& state,
                             const FeatureVector& features,
                             const ScoreVector& scores,
                             const EvaluationContext& ctx,
                             RuleMemo* memo,
                             EventMask touched) const {
  const Slots slots = make_slots(features, scores);
  const CustomerEnvironment env(state, slots);
  Evaluation out;
  Wakeup next;
  const bool remembered = memo != nullptr && memo->due_ms.size() == compiled_.size();
  // A remembered state was evaluated with these rules last, and only their evaluations have
  // changed its segments since: every one of them is still defined.
  if (!remembered) {
    exit_removed_segments(state, ctx, out);
  }
  if (memo != nullptr && !remembered) {
    memo->due_ms.assign(compiled_.size(), RuleMemo::kEvaluate);
  }
  for (size_t i = 0; i < compiled_.size(); ++i) {
    if (remembered && keeps(i, memo->due_ms[i], touched, ctx.at)) {
      // Kept segments read no score and were anchored: only their due time joins the wake-up
      // (earliest() with a wake-up neither bound to a model nor unanchored).
      const int64_t due = memo->due_ms[i];
      if (due != RuleMemo::kNever && (!next.due_ms || due < *next.due_ms)) {
        next.due_ms = due;
      }
      continue;
    }
    const SegmentDefinition& def = definitions_[i];
    const Compiled& c = compiled_[i];
    auto pos = std::lower_bound(state.segments.begin(), state.segments.end(), def.name);
    const bool member = pos != state.segments.end() && *pos == def.name;
    const bool enter_true = rules::truthy(rules::evaluate(c.enter.expr, env));
    bool now_member = member;
    const RuleExpr* decided_by = &c.enter;
    std::optional<bool> exit_true;
    if (!member && enter_true) {
      now_member = true;
    } else if (member) {
      if (c.exit) {
        exit_true = rules::truthy(rules::evaluate(c.exit->expr, env));
        now_member = !*exit_true;
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
      change.values = deciding_values(*decided_by, slots, env);
      out.changes.push_back(std::move(change));
      if (now_member) {
        state.segments.insert(pos, def.name);
      } else {
        state.segments.erase(pos);
      }
    }
    // What can flip next: the exit rule for members (when there is one), else the enter rule.
    const RuleExpr& can_flip = now_member && c.exit ? *c.exit : c.enter;
    const Wakeup wakeup = find_wakeup(can_flip, state, features, env, ctx);
    if (memo != nullptr) {
      // Enter and exit rules that hold together (`x > 5` and `x > 3`) flip a segment at every
      // evaluation, whatever changed: such a segment is evaluated every time.
      if (now_member && c.exit && !exit_true) {
        exit_true = rules::truthy(rules::evaluate(c.exit->expr, env));
      }
      const bool settled = now_member ? (c.exit ? !*exit_true : enter_true) : !enter_true;
      memo->due_ms[i] = !wakeup.anchored || !settled || c.reads_scores
                            ? RuleMemo::kEvaluate
                            : wakeup.due_ms.value_or(RuleMemo::kNever);
    }
    next = earliest(next, wakeup);
  }
  out.next_due_ms = timer_due(next);
  out.model_bound = next.model_bound;
  return out;
}

std::vector<SegmentChange> RuleSet::explain(const CustomerState& state,
                                            const FeatureVector& features,
                                            const ScoreVector& scores,
                                            TimestampMs at) const {
  const Slots slots = make_slots(features, scores);
  const CustomerEnvironment env(state, slots);
  std::vector<SegmentChange> out;
  for (size_t i = 0; i < compiled_.size(); ++i) {
    const SegmentDefinition& def = definitions_[i];
    if (!std::binary_search(state.segments.begin(), state.segments.end(), def.name)) {
      continue;
    }
    // A member stays while its exit rule is false, when it has one (hysteresis: the enter rule
    // may be false by now).
    const Compiled& c = compiled_[i];
    SegmentChange why;
    why.customer_id = state.customer_id;
    why.segment = def.name;
    why.at = at;
    why.reason = c.exit ? "!(" + c.exit->source + ")" : c.enter.source;
    why.values = deciding_values(c.exit ? *c.exit : c.enter, slots, env);
    out.push_back(std::move(why));
  }
  return out;
}

}  // namespace segd::core
