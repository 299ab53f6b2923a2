#pragma once

/// The segment rule language: parse() a rule into an Expr, compile() it against a SymbolTable,
/// evaluate() it against an Environment, and inspect it (variables_used(), comparisons(), ...).
/// See RULES.md for the grammar and semantics.

#include "core/rules/compiled_expr.h"  // IWYU pragma: export
#include "core/rules/expr.h"           // IWYU pragma: export
#include "core/rules/introspect.h"     // IWYU pragma: export
#include "core/rules/parser.h"         // IWYU pragma: export
