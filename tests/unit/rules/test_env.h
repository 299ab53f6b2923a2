#pragma once

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/rules/rules.h"

namespace segd::core::rules::testing {

/// Symbols shared by the rules tests: variables a..e plus the segment features, and functions.
inline SymbolTable test_symbols() {
  return SymbolTable{
      .variables = {"a", "b", "c", "d", "e", "orders_90d", "monetary_365d",
                    "days_since_last_purchase", "cart_open", "p_alive"},
      .functions = {{"affinity", {ArgKind::kString}},
                    {"tick", {}},
                    {"add", {ArgKind::kNumber, ArgKind::kNumber}},
                    {"share", {ArgKind::kString, ArgKind::kNumber}}},
  };
}

inline constexpr int kAffinity = 0;
inline constexpr int kTick = 1;
inline constexpr int kAdd = 2;
inline constexpr int kShare = 3;

/// Environment over a value per slot; records every call so tests can observe evaluation.
class TestEnv final : public Environment {
 public:
  explicit TestEnv(std::vector<double> values) : values_(std::move(values)) {}

  double variable(int slot) const override {
    ++variable_reads_;
    return values_.at(static_cast<size_t>(slot));
  }

  double call(int function, std::span<const Value> args) const override {
    calls_.push_back(function);
    switch (function) {
      case kAffinity: {
        auto it = affinity_.find(std::string(args[0].text));
        return it == affinity_.end() ? 0.0 : it->second;
      }
      case kTick:
        return 1.0;
      case kAdd:
        return args[0].number + args[1].number;
      case kShare:
        return static_cast<double>(args[0].text.size()) * args[1].number;
      default:
        return 0.0;
    }
  }

  void set_affinity(std::string category, double value) { affinity_[std::move(category)] = value; }
  const std::vector<int>& calls() const { return calls_; }
  int variable_reads() const { return variable_reads_; }

 private:
  std::vector<double> values_;
  std::map<std::string, double> affinity_;
  mutable std::vector<int> calls_;
  mutable int variable_reads_ = 0;
};

/// Compiles `source` against test_symbols(); fails the test on error.
inline CompiledExpr must_compile(std::string_view source) {
  auto compiled = compile(source, test_symbols());
  if (!compiled) {
    ADD_FAILURE() << source << ": " << compiled.error().message;
    return std::move(*compile("0", test_symbols()));
  }
  return std::move(*compiled);
}

}  // namespace segd::core::rules::testing
