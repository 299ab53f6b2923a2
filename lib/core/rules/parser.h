#pragma once

#include <string_view>

#include "core/common/result.h"
#include "core/rules/expr.h"

namespace segd::core::rules {

/// Longest accepted rule source, in bytes.
inline constexpr size_t kMaxSourceLength = 4096;
/// Deepest accepted nesting of parentheses, unary operators and call arguments.
inline constexpr int kMaxNestingDepth = 64;
/// Most arguments a single call may have.
inline constexpr int kMaxCallArgs = 16;

/// Error codes of the rules module.
inline constexpr std::string_view kRuleSyntax = "rule_syntax";
inline constexpr std::string_view kRuleUnknownName = "rule_unknown_name";
inline constexpr std::string_view kRuleBadCall = "rule_bad_call";

/// Parses a rule such as `orders_90d >= 3 && affinity("shoes") > 0.4` into a syntax tree (see
/// RULES.md for the grammar). Names are not resolved here; see compile().
/// Errors: code `rule_syntax`, message "column N: expected X but found Y" or similar, for the
/// first problem in source order; also for a source longer than kMaxSourceLength or nesting
/// deeper than kMaxNestingDepth. Never recurses deeper than a small multiple of
/// kMaxNestingDepth, whatever the input. Pure and thread-safe.
[[nodiscard]] Result<Expr> parse(std::string_view source);

}  // namespace segd::core::rules
