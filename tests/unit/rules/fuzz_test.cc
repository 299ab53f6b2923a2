#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/rules/rules.h"
#include "test_env.h"

namespace segd::core::rules {
namespace {

// splitmix64: a tiny seeded generator, so every run feeds the same inputs.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

void check_input(const std::string& source) {
  auto expr = parse(source);
  if (!expr) {
    EXPECT_EQ(expr.error().code, kRuleSyntax) << source;
    EXPECT_EQ(expr.error().message.rfind("column ", 0), 0u) << source;
    return;
  }
  const std::string text = to_string(*expr);
  auto again = parse(text);
  ASSERT_TRUE(again.has_value()) << source << " -> " << text;
  EXPECT_EQ(*again, *expr) << source << " -> " << text;
  auto compiled = compile(*expr, testing::test_symbols());
  if (compiled) {
    const testing::TestEnv env({1, 0, -2, 0.5, 3, 0, 0, 0, 0, 0});
    const double value = evaluate(*compiled, env);
    EXPECT_EQ(truthy(value), truthy(evaluate_node(*compiled, compiled->root(), env)));
    for (const Comparison& atom : comparisons(*compiled)) {
      EXPECT_TRUE(is_comparison(atom.op));
    }
  } else {
    EXPECT_TRUE(compiled.error().code == kRuleUnknownName || compiled.error().code == kRuleBadCall)
        << source;
  }
}

TEST(RuleFuzzTest, RandomBytesNeverCrash) {
  SplitMix rng(20260301);
  for (int i = 0; i < 3000; ++i) {
    std::string source(rng.below(64), '\0');
    for (char& c : source) {
      c = static_cast<char>(rng.below(256));
    }
    check_input(source);
  }
}

TEST(RuleFuzzTest, RandomTokenSoupNeverCrashes) {
  static const char* const kOperands[] = {
      "a",        "b",     "c",      "xyz", "1",  "2.5", "1e3",
      "true",     "false", "tick()", "(a)", "!b", "-c",  "affinity(\"s\")",
      "add(a, 1)"};
  static const char* const kOperators[] = {
      " + ", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};
  static const char* const kNoise[] = {"(", ")",    ",", "\"", "\\", "=",         "&",
                                       "|", ".",    "e", "!",  "-",  "affinity(", "share(\"x\", ",
                                       " ", "\"s\""};
  SplitMix rng(42);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string source;
    const size_t count = rng.below(16);
    for (size_t k = 0; k < count; ++k) {
      if (rng.below(8) == 0) {
        source += kNoise[rng.below(std::size(kNoise))];
      } else if (k % 2 == 0) {
        source += kOperands[rng.below(std::size(kOperands))];
      } else {
        source += kOperators[rng.below(std::size(kOperators))];
      }
    }
    check_input(source);
    parsed += parse(source).has_value() ? 1 : 0;
  }
  // Mostly well-formed soup, so the success paths (round trip, compile, evaluate) run too.
  EXPECT_GT(parsed, 500);
}

TEST(RuleFuzzTest, LongHostileInputsFailCleanly) {
  SplitMix rng(7);
  for (const char* unit :
       {"(", "!", "-", "f(", "a+", "((a)", "\"", "(((((((((((((((((a)))))))))"}) {
    std::string source;
    while (source.size() < kMaxSourceLength) {
      source += unit;
    }
    source.resize(kMaxSourceLength - rng.below(4));
    check_input(source);
  }
}

}  // namespace
}  // namespace segd::core::rules
