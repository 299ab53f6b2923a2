#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/rules/rules.h"

namespace segd::core {

/// The functions rules may call, by their id in rule_symbols().
enum RuleFunction : int { kAffinity = 0, kMin = 1, kMax = 2, kAbs = 3 };

/// What rules may name: every feature, its slot its FeatureId; then every score, at slot
/// kFeatureCount + ScoreId; and the functions of RuleFunction.
[[nodiscard]] const rules::SymbolTable& rule_symbols();

/// Whether stream time alone can move the variable in `slot` (scores read T, which steps daily).
[[nodiscard]] bool slot_is_timed(int slot);

/// One compiled rule (a segment's `enter` or `exit`) with the facts about each node that the
/// wake-up analysis reads on every evaluation, computed once.
struct RuleExpr {
  std::string source;
  rules::CompiledExpr expr;
  /// A feature read through a call with constant arguments, such as `affinity("shoes")`.
  struct Lookup {
    std::string name;  ///< Its canonical text, the name it has among the deciding values.
    rules::NodeRef node;
  };

  std::vector<int> variables;                 ///< The slots it reads, sorted.
  std::vector<Lookup> lookups;                ///< Its affinity() calls, by name, unique.
  std::vector<std::vector<int>> timed_slots;  ///< Per node: its time-varying variables.
  std::vector<std::optional<int>> bare_slot;  ///< Per node: the slot when it is a bare variable.

  /// Whether time alone can change the value of node `n`: it reads a time-varying variable.
  [[nodiscard]] bool timed(rules::NodeRef n) const {
    return !timed_slots[static_cast<size_t>(n.index)].empty();
  }
};

/// Parses and compiles one rule; errors (those of rules::parse and rules::compile) name the
/// segment and `which` rule it is ("enter" or "exit").
[[nodiscard]] Result<RuleExpr> compile_rule_expr(const std::string& segment,
                                                 const char* which,
                                                 const std::string& source);

}  // namespace segd::core
