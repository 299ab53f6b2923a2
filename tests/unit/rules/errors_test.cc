#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rules/rules.h"
#include "test_env.h"

namespace segd::core::rules {
namespace {

struct ErrorCase {
  std::string source;
  std::string_view code;
  std::string message;
};

void expect_errors(const std::vector<ErrorCase>& cases) {
  for (const auto& c : cases) {
    auto result = compile(c.source, testing::test_symbols());
    ASSERT_FALSE(result.has_value()) << c.source;
    EXPECT_EQ(result.error().code, c.code) << c.source;
    EXPECT_EQ(result.error().message, c.message) << c.source;
  }
}

TEST(RuleErrorsTest, SyntaxErrorsNameColumnAndExpectation) {
  expect_errors({
      {"", kRuleSyntax, "column 1: expected expression but found end of input"},
      {"a > ", kRuleSyntax, "column 5: expected expression but found end of input"},
      {"(a > 1", kRuleSyntax, "column 7: expected ')' but found end of input"},
      {"a > 1)", kRuleSyntax, "column 6: expected operator or end of input but found ')'"},
      {"a b", kRuleSyntax, "column 3: expected operator or end of input but found identifier 'b'"},
      {"a * * b", kRuleSyntax, "column 5: expected expression but found '*'"},
      {"3abc", kRuleSyntax,
       "column 2: expected operator or end of input but found identifier 'abc'"},
      {"a = 1", kRuleSyntax, "column 3: unexpected character '=' (did you mean '=='?)"},
      {"a & b", kRuleSyntax, "column 3: unexpected character '&' (did you mean '&&'?)"},
      {"a | b", kRuleSyntax, "column 3: unexpected character '|' (did you mean '||'?)"},
      {"a # b", kRuleSyntax, "column 3: unexpected character '#'"},
      {"a\x01", kRuleSyntax, "column 2: unexpected character 0x01"},
      {"1. + a", kRuleSyntax, "column 3: expected digit after '.' in number"},
      {".5", kRuleSyntax, "column 1: unexpected character '.'"},
      {"1e+", kRuleSyntax, "column 4: expected digit in exponent of number"},
      {"1e999", kRuleSyntax, "column 1: number 1e999 is out of range"},
      {"f(a,)", kRuleSyntax, "column 5: expected expression but found ')'"},
      {"f(a b)", kRuleSyntax, "column 5: expected ',' or ')' but found identifier 'b'"},
      {"f(a", kRuleSyntax, "column 4: expected ',' or ')' but found end of input"},
      {"affinity(\"a\" + 1)", kRuleSyntax, "column 14: expected ',' or ')' but found '+'"},
      {"true(1)", kRuleSyntax, "column 5: expected operator or end of input but found '('"},
  });
}

TEST(RuleErrorsTest, UnterminatedStringAndBadEscape) {
  expect_errors({
      {"affinity(\"shoes)", kRuleSyntax,
       "column 17: expected '\"' but found end of input (string opened at column 10)"},
      {"affinity(\"x\\", kRuleSyntax,
       "column 13: expected '\"' but found end of input (string opened at column 10)"},
      {"affinity(\"a\\nb\")", kRuleSyntax,
       "column 12: unknown escape '\\' followed by 'n' (only \\\" and \\\\ are allowed)"},
  });
}

TEST(RuleErrorsTest, StringOutsideCallIsSyntaxError) {
  expect_errors({
      {"\"shoes\" == a", kRuleSyntax,
       "column 1: expected expression but found string literal (strings are allowed only as "
       "function arguments)"},
      {"a > (\"x\")", kRuleSyntax,
       "column 6: expected expression but found string literal (strings are allowed only as "
       "function arguments)"},
  });
}

TEST(RuleErrorsTest, UnknownNames) {
  expect_errors({
      {"a > 1 && orders_30d > 2", kRuleUnknownName, "column 10: unknown variable 'orders_30d'"},
      {"nope(1) > 0", kRuleUnknownName, "column 1: unknown function 'nope'"},
      {"affinity > 1", kRuleUnknownName,
       "column 1: unknown variable 'affinity' ('affinity' is a function; call it with "
       "arguments)"},
  });
}

TEST(RuleErrorsTest, BadCalls) {
  expect_errors({
      {"affinity() > 0", kRuleBadCall,
       "column 1: function 'affinity' takes 1 argument(s) but got 0"},
      {"a + add(1, 2, 3)", kRuleBadCall, "column 5: function 'add' takes 2 argument(s) but got 3"},
      {"add(1, \"x\")", kRuleBadCall,
       "column 8: argument 2 of 'add' must be a number, not a string literal"},
      {"affinity(a)", kRuleBadCall,
       "column 10: argument 1 of 'affinity' must be a string literal, not a number"},
      {"share(\"x\", \"y\")", kRuleBadCall,
       "column 12: argument 2 of 'share' must be a number, not a string literal"},
  });
}

TEST(RuleErrorsTest, TooLong) {
  std::string source = "a";
  while (source.size() < kMaxSourceLength) {
    source += " ";
  }
  EXPECT_TRUE(parse(source).has_value());
  source += " ";
  auto result = parse(source);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, kRuleSyntax);
  EXPECT_EQ(result.error().message, "column 4097: rule longer than 4096 characters");
}

TEST(RuleErrorsTest, TooDeep) {
  const auto nested = [](const std::string& open, int depth) {
    std::string source;
    for (int i = 0; i < depth; ++i) {
      source += open;
    }
    return source + "a";
  };
  const auto closed = [&](int depth) { return nested("(", depth) + std::string(depth, ')'); };
  EXPECT_TRUE(parse(closed(kMaxNestingDepth)).has_value());
  EXPECT_TRUE(parse(nested("!", kMaxNestingDepth)).has_value());

  auto parens = parse(closed(kMaxNestingDepth + 1));
  ASSERT_FALSE(parens.has_value());
  EXPECT_EQ(parens.error().code, kRuleSyntax);
  EXPECT_EQ(parens.error().message, "column 65: nesting deeper than 64");

  auto unary = parse(nested("-", kMaxNestingDepth + 1));
  ASSERT_FALSE(unary.has_value());
  EXPECT_EQ(unary.error().message, "column 65: nesting deeper than 64");

  std::string calls;
  for (int i = 0; i < kMaxNestingDepth + 1; ++i) {
    calls += "f(";
  }
  auto call = parse(calls + "1" + std::string(kMaxNestingDepth + 1, ')'));
  ASSERT_FALSE(call.has_value());
  EXPECT_EQ(call.error().message, "column 130: nesting deeper than 64");

  // Hostile input far beyond the limit fails fast instead of overflowing the stack.
  auto hostile = parse(std::string(kMaxSourceLength, '('));
  ASSERT_FALSE(hostile.has_value());
  EXPECT_EQ(hostile.error().message, "column 65: nesting deeper than 64");
}

TEST(RuleErrorsTest, TooManyCallArguments) {
  std::string source = "f(0";
  for (int i = 1; i <= kMaxCallArgs; ++i) {
    source += ", " + std::to_string(i);
  }
  auto result = parse(source + ")");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, kRuleSyntax);
  EXPECT_EQ(result.error().message, "column 57: more than 16 call arguments");
}

TEST(RuleErrorsTest, FirstErrorInSourceOrderWins) {
  auto result = parse("a > > \"unterminated");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "column 5: expected expression but found '>'");
}

}  // namespace
}  // namespace segd::core::rules
