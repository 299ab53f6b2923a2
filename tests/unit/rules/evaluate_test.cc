#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/rules/rules.h"
#include "test_env.h"

namespace segd::core::rules {
namespace {

using testing::kAdd;
using testing::kAffinity;
using testing::kTick;
using testing::must_compile;
using testing::TestEnv;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Slots: a b c d e orders_90d monetary_365d days_since_last_purchase cart_open p_alive
double eval(std::string_view source,
            std::vector<double> values = {7, 2, -3, 0, 0.5, 0, 0, 0, 0, 0}) {
  return evaluate(must_compile(source), TestEnv(std::move(values)));
}

TEST(EvaluateTest, ArithmeticOperators) {
  EXPECT_DOUBLE_EQ(eval("a + b"), 9.0);
  EXPECT_DOUBLE_EQ(eval("a - b"), 5.0);
  EXPECT_DOUBLE_EQ(eval("a * b"), 14.0);
  EXPECT_DOUBLE_EQ(eval("a / b"), 3.5);
  EXPECT_DOUBLE_EQ(eval("a % b"), 1.0);
  EXPECT_DOUBLE_EQ(eval("c % b"), -1.0);  // fmod keeps the dividend's sign
  EXPECT_DOUBLE_EQ(eval("-a"), -7.0);
  EXPECT_DOUBLE_EQ(eval("a - b - 1"), 4.0);
  EXPECT_DOUBLE_EQ(eval("a - (b - 1)"), 6.0);
  EXPECT_DOUBLE_EQ(eval("a + b * c"), 1.0);
  EXPECT_DOUBLE_EQ(eval("2 * 3e2 / 4"), 150.0);
  EXPECT_EQ(eval("a / d"), kInf);
  EXPECT_TRUE(std::isnan(eval("a % d")));
}

TEST(EvaluateTest, ComparisonOperators) {
  EXPECT_EQ(eval("b < a"), 1.0);
  EXPECT_EQ(eval("a < b"), 0.0);
  EXPECT_EQ(eval("b <= 2"), 1.0);
  EXPECT_EQ(eval("b <= 1.9"), 0.0);
  EXPECT_EQ(eval("a > b"), 1.0);
  EXPECT_EQ(eval("b > b"), 0.0);
  EXPECT_EQ(eval("b >= b"), 1.0);
  EXPECT_EQ(eval("c >= 0"), 0.0);
  EXPECT_EQ(eval("b == 2"), 1.0);
  EXPECT_EQ(eval("b == 3"), 0.0);
  EXPECT_EQ(eval("b != 3"), 1.0);
  EXPECT_EQ(eval("b != 2"), 0.0);
  EXPECT_EQ(eval("a > b > 0"), 1.0);  // (a > b) > 0, as in C
}

TEST(EvaluateTest, LogicalOperatorsAndTruthiness) {
  EXPECT_EQ(eval("a && b"), 1.0);  // results are normalised to 1/0
  EXPECT_EQ(eval("a && d"), 0.0);
  EXPECT_EQ(eval("d || e"), 1.0);
  EXPECT_EQ(eval("d || d"), 0.0);
  EXPECT_EQ(eval("!d"), 1.0);
  EXPECT_EQ(eval("!c"), 0.0);
  EXPECT_EQ(eval("!!a"), 1.0);
  EXPECT_EQ(eval("true && !false"), 1.0);
  EXPECT_EQ(eval("true + true"), 2.0);
  EXPECT_TRUE(truthy(-0.1));
  EXPECT_FALSE(truthy(0.0));
  EXPECT_FALSE(truthy(-0.0));
  EXPECT_FALSE(truthy(kNaN));
  EXPECT_TRUE(truthy(kInf));
}

TEST(EvaluateTest, SampleSegmentRules) {
  // orders_90d monetary_365d days_since_last_purchase cart_open p_alive
  const std::vector<double> loyal = {0, 0, 0, 0, 0, 4, 820, 12, 1, 0.9};
  const std::vector<double> lapsed = {0, 0, 0, 0, 0, 1, 80, 75, 0, 0.2};
  const char* big_spender = "orders_90d >= 3 && monetary_365d > 500";
  const char* lapsing = "days_since_last_purchase > 60 && !(cart_open > 0)";
  EXPECT_EQ(eval(big_spender, loyal), 1.0);
  EXPECT_EQ(eval(big_spender, lapsed), 0.0);
  EXPECT_EQ(eval(lapsing, loyal), 0.0);
  EXPECT_EQ(eval(lapsing, lapsed), 1.0);

  const CompiledExpr rule = must_compile("affinity(\"shoes\") >= 0.4 || p_alive < 0.3");
  TestEnv fan(loyal);
  fan.set_affinity("shoes", 0.5);
  EXPECT_EQ(evaluate(rule, fan), 1.0);
  TestEnv other(loyal);
  other.set_affinity("bags", 0.9);
  EXPECT_EQ(evaluate(rule, other), 0.0);
}

TEST(EvaluateTest, AndOrShortCircuit) {
  TestEnv env({0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(evaluate(must_compile("a && tick()"), env), 0.0);
  EXPECT_EQ(evaluate(must_compile("b || tick()"), env), 1.0);
  EXPECT_EQ(evaluate(must_compile("(a > 0 && tick()) || (b > 0 || tick())"), env), 1.0);
  EXPECT_TRUE(env.calls().empty());
  EXPECT_EQ(evaluate(must_compile("b && tick()"), env), 1.0);
  EXPECT_EQ(evaluate(must_compile("a || tick()"), env), 1.0);
  EXPECT_EQ(env.calls(), (std::vector<int>{kTick, kTick}));
}

TEST(EvaluateTest, CallsHappenLeftToRight) {
  TestEnv env({0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(evaluate(must_compile("affinity(\"x\") + tick() * add(tick(), 1)"), env), 2.0);
  EXPECT_EQ(env.calls(), (std::vector<int>{kAffinity, kTick, kTick, kAdd}));
}

TEST(EvaluateTest, NaNComparisonsAreFalse) {
  const std::vector<double> missing = {kNaN, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const char* rule : {"a < 1", "a <= 1", "a > 1", "a >= 1", "a == a", "a != 1", "1 != a",
                           "a != a", "a + 1 > 0", "-a < 0", "a && b", "!(a == a) && a"}) {
    EXPECT_EQ(eval(rule, missing), 0.0) << rule;
  }
  EXPECT_TRUE(std::isnan(eval("a", missing)));   // arithmetic propagates NaN ...
  EXPECT_FALSE(truthy(eval("a * 2", missing)));  // ... and NaN is not truthy
  EXPECT_EQ(eval("!a", missing), 1.0);
  EXPECT_EQ(eval("a || b", missing), 1.0);
  EXPECT_EQ(compare(Op::kNotEqual, kNaN, 1.0), 0.0);
  EXPECT_EQ(compare(Op::kNotEqual, 2.0, 1.0), 1.0);
  EXPECT_EQ(compare(Op::kLessEqual, 1.0, 1.0), 1.0);
}

TEST(EvaluateTest, StringArgumentsReachTheEnvironment) {
  TestEnv env({0, 3, 0, 0, 0, 0, 0, 0, 0, 0});
  env.set_affinity("a\"b", 0.75);
  EXPECT_EQ(evaluate(must_compile(R"(affinity("a\"b"))"), env), 0.75);
  EXPECT_EQ(evaluate(must_compile(R"(share("four", b + 1))"), env), 16.0);
  EXPECT_EQ(evaluate(must_compile(R"(share("", 1))"), env), 0.0);
}

TEST(EvaluateTest, CopiedCompiledExprOwnsItsStrings) {
  CompiledExpr copy = must_compile("share(\"abc\", 2)");
  {
    const CompiledExpr original = must_compile("share(\"a much longer string literal\", 1)");
    copy = original;
  }
  EXPECT_EQ(evaluate(copy, TestEnv({0, 0, 0, 0, 0, 0, 0, 0, 0, 0})), 28.0);
}

TEST(EvaluateTest, EvaluateNodeEvaluatesOneOperand) {
  const CompiledExpr rule = must_compile("a * 2 > b + 1");
  const auto atoms = comparisons(rule);
  ASSERT_EQ(atoms.size(), 1u);
  TestEnv env({7, 2, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(evaluate_node(rule, atoms[0].lhs, env), 14.0);
  EXPECT_EQ(evaluate_node(rule, atoms[0].rhs, env), 3.0);
  EXPECT_EQ(evaluate_node(rule, atoms[0].node, env), 1.0);
}

TEST(EvaluateTest, DeepChainsEvaluate) {
  std::string source = "a";
  while (source.size() + 4 <= kMaxSourceLength) {
    source += " + a";
  }
  const double terms = static_cast<double>((source.size() - 1) / 4 + 1);
  EXPECT_EQ(eval(source, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}), terms);
}

// NodeValues gives evaluate_node()'s values, reading each node once: on the longest chain of `+`
// every level's value costs one variable read in all, not one per term below it.
TEST(EvaluateTest, NodeValuesComputeEachNodeOnce) {
  const std::string tail = " > b * 2 && affinity(\"x\") < 1";
  std::string source = "a";
  while (source.size() + 4 + tail.size() <= kMaxSourceLength) {
    source += " + a";
  }
  const CompiledExpr rule = must_compile(source + tail);
  TestEnv env({1, 2, 0, 0, 0, 0, 0, 0, 0, 0});
  TestEnv reference({1, 2, 0, 0, 0, 0, 0, 0, 0, 0});
  NodeValues values(rule, env);
  for (int i = static_cast<int>(rule.code().size()) - 1; i >= 0; --i) {
    if (rule.code()[static_cast<size_t>(i)].code == OpCode::kString) {
      continue;
    }
    EXPECT_EQ(values.at(NodeRef{i}), evaluate_node(rule, NodeRef{i}, reference)) << i;
  }
  const auto terms = static_cast<int>((source.size() - 1) / 4 + 1);
  EXPECT_EQ(env.variable_reads(), terms + 1);  // Every `a`, and `b`.
  EXPECT_EQ(env.calls().size(), 1u);
}

}  // namespace
}  // namespace segd::core::rules
