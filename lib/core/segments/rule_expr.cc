#include "core/segments/rule_expr.h"

#include <algorithm>

#include "core/features/feature_catalog.h"
#include "core/segments/scores.h"

namespace segd::core {
namespace {

// Per-node facts, computed once per rule.
void analyse_nodes(RuleExpr& e) {
  const size_t n = e.expr.expr().nodes.size();
  e.timed_slots.assign(n, {});
  e.bare_slot.assign(n, std::nullopt);
  for (size_t i = 0; i < n; ++i) {
    const rules::NodeRef ref{static_cast<int>(i)};
    for (const int slot : rules::variables_used(e.expr, ref)) {
      if (slot_is_timed(slot)) {
        e.timed_slots[i].push_back(slot);
      }
    }
    e.bare_slot[i] = rules::is_bare_variable(e.expr, ref);
  }
}

// The rule's affinity("x") calls, sorted by their text, each once.
std::vector<RuleExpr::Lookup> affinity_lookups(const rules::CompiledExpr& expr) {
  std::vector<RuleExpr::Lookup> out;
  for (size_t i = 0; i < expr.code().size(); ++i) {
    const rules::NodeRef ref{static_cast<int>(i)};
    const std::optional<rules::BareCall> call = rules::is_bare_call(expr, ref);
    if (!call || call->function != kAffinity) {
      continue;
    }
    std::string name = rules::to_string(expr.expr(), ref);
    auto at = std::lower_bound(
        out.begin(), out.end(), name,
        [](const RuleExpr::Lookup& l, const std::string& n) { return l.name < n; });
    if (at == out.end() || at->name != name) {
      out.insert(at, RuleExpr::Lookup{std::move(name), ref});
    }
  }
  return out;
}

}  // namespace

const rules::SymbolTable& rule_symbols() {
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

bool slot_is_timed(int slot) {
  if (static_cast<size_t>(slot) >= kFeatureCount) {
    return true;  // Scores move with time (most of them) and with the model version.
  }
  return feature_info(static_cast<FeatureId>(slot)).behaviour != TimeBehaviour::kConstant;
}

Result<RuleExpr> compile_rule_expr(const std::string& segment,
                                   const char* which,
                                   const std::string& source) {
  auto parsed = rules::parse(source);
  if (!parsed) {
    return fail(parsed.error().code,
                "segment '" + segment + "' " + which + ": " + parsed.error().message);
  }
  auto compiled = rules::compile(*parsed, rule_symbols());
  if (!compiled) {
    return fail(compiled.error().code,
                "segment '" + segment + "' " + which + ": " + compiled.error().message);
  }
  RuleExpr out{source, std::move(*compiled), {}, {}, {}, {}};
  out.variables = rules::variables_used(out.expr);
  out.lookups = affinity_lookups(out.expr);
  analyse_nodes(out);
  return out;
}

}  // namespace segd::core
