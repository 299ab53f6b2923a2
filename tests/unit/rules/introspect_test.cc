#include "core/rules/introspect.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_env.h"

namespace segd::core::rules {
namespace {

using testing::kAffinity;
using testing::kShare;
using testing::kTick;
using testing::must_compile;

// Slots in testing::test_symbols().
constexpr int kA = 0;
constexpr int kB = 1;
constexpr int kC = 2;
constexpr int kOrders = 5;
constexpr int kMonetary = 6;
constexpr int kDaysSince = 7;
constexpr int kCartOpen = 8;
constexpr int kPAlive = 9;

TEST(IntrospectTest, VariablesAndFunctionsUsed) {
  const CompiledExpr rule =
      must_compile("p_alive < 0.3 && (c + a > 1 || affinity(\"x\") > a) && tick() + tick() > 1");
  EXPECT_EQ(variables_used(rule), (std::vector<int>{kA, kC, kPAlive}));
  EXPECT_EQ(functions_used(rule), (std::vector<int>{kAffinity, kTick}));
  EXPECT_TRUE(variables_used(must_compile("1 + 2")).empty());
  EXPECT_TRUE(functions_used(must_compile("a")).empty());
}

TEST(IntrospectTest, ComparisonsOfSampleRules) {
  const CompiledExpr rule = must_compile("days_since_last_purchase > 60 && !(cart_open > 0)");
  const auto atoms = comparisons(rule);
  ASSERT_EQ(atoms.size(), 2u);
  EXPECT_EQ(atoms[0].op, Op::kGreater);
  EXPECT_EQ(is_bare_variable(rule, atoms[0].lhs), kDaysSince);
  EXPECT_TRUE(is_constant(rule, atoms[0].rhs));
  EXPECT_EQ(to_string(rule.expr(), atoms[0].node), "days_since_last_purchase > 60");
  EXPECT_EQ(atoms[1].op, Op::kGreater);
  EXPECT_EQ(is_bare_variable(rule, atoms[1].lhs), kCartOpen);
  EXPECT_EQ(variables_used(rule, atoms[1].lhs), (std::vector<int>{kCartOpen}));
  EXPECT_TRUE(variables_used(rule, atoms[1].rhs).empty());
}

TEST(IntrospectTest, ComparisonsArePreOrderIncludingNested) {
  const CompiledExpr rule =
      must_compile("(a > 1) + (b <= 2) >= 1 || orders_90d == 3 && monetary_365d != c * 2");
  const auto atoms = comparisons(rule);
  std::vector<std::string> texts;
  std::vector<Op> ops;
  for (const Comparison& atom : atoms) {
    texts.push_back(to_string(rule.expr(), atom.node));
    ops.push_back(atom.op);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"(a > 1) + (b <= 2) >= 1", "a > 1", "b <= 2",
                                             "orders_90d == 3", "monetary_365d != c * 2"}));
  EXPECT_EQ(ops, (std::vector<Op>{Op::kGreaterEqual, Op::kGreater, Op::kLessEqual, Op::kEqual,
                                  Op::kNotEqual}));
  EXPECT_EQ(variables_used(rule, atoms[4].rhs), (std::vector<int>{kC}));
  EXPECT_EQ(variables_used(rule, atoms[3].lhs), (std::vector<int>{kOrders}));
  EXPECT_EQ(is_bare_variable(rule, atoms[4].lhs), kMonetary);
  EXPECT_EQ(is_bare_variable(rule, atoms[4].rhs), std::nullopt);
  EXPECT_FALSE(is_constant(rule, atoms[4].rhs));
}

TEST(IntrospectTest, BareCalls) {
  const CompiledExpr rule =
      must_compile("affinity(\"shoes\") >= 0.4 || share(\"x\", -2 * 3) > b || share(\"y\", b) > 0");
  const auto atoms = comparisons(rule);
  ASSERT_EQ(atoms.size(), 3u);
  auto shoes = is_bare_call(rule, atoms[0].lhs);
  ASSERT_TRUE(shoes.has_value());
  EXPECT_EQ(shoes->function, kAffinity);
  EXPECT_EQ(shoes->args, (std::vector<Value>{Value::of_string("shoes")}));
  EXPECT_EQ(is_bare_variable(rule, atoms[0].lhs), std::nullopt);

  auto share = is_bare_call(rule, atoms[1].lhs);
  ASSERT_TRUE(share.has_value());
  EXPECT_EQ(share->function, kShare);
  EXPECT_EQ(share->args, (std::vector<Value>{Value::of_string("x"), Value::of_number(-6.0)}));
  EXPECT_EQ(is_bare_call(rule, atoms[1].rhs), std::nullopt);
  EXPECT_EQ(is_bare_call(rule, atoms[2].lhs), std::nullopt);  // argument reads b
  EXPECT_EQ(functions_used(rule, atoms[2].lhs), (std::vector<int>{kShare}));
  EXPECT_EQ(variables_used(rule, atoms[2].lhs), (std::vector<int>{kB}));
}

TEST(IntrospectTest, MirroredOperators) {
  EXPECT_EQ(mirrored(Op::kLess), Op::kGreater);
  EXPECT_EQ(mirrored(Op::kLessEqual), Op::kGreaterEqual);
  EXPECT_EQ(mirrored(Op::kGreater), Op::kLess);
  EXPECT_EQ(mirrored(Op::kGreaterEqual), Op::kLessEqual);
  EXPECT_EQ(mirrored(Op::kEqual), Op::kEqual);
  EXPECT_EQ(mirrored(Op::kNotEqual), Op::kNotEqual);
  for (Op op :
       {Op::kLess, Op::kLessEqual, Op::kGreater, Op::kGreaterEqual, Op::kEqual, Op::kNotEqual}) {
    for (double x : {1.0, 2.0, 3.0}) {
      EXPECT_EQ(compare(op, x, 2.0), compare(mirrored(op), 2.0, x));
    }
  }
}

TEST(IntrospectTest, CompiledNodesMirrorTheTree) {
  const CompiledExpr rule = must_compile("a > 1 && affinity(\"x\") < b");
  ASSERT_EQ(rule.code().size(), rule.expr().nodes.size());
  EXPECT_EQ(rule.root(), rule.expr().root);
  EXPECT_EQ(to_string(rule.expr()), "a > 1 && affinity(\"x\") < b");
}

}  // namespace
}  // namespace segd::core::rules
