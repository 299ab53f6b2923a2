#include "core/rules/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/rules/expr.h"

namespace segd::core::rules {
namespace {

// Fully parenthesised rendering, independent of to_string(), so the tree shape is visible.
std::string shape(const Expr& expr, NodeRef ref) {
  const Node& node = expr.node(ref);
  switch (node.kind) {
    case NodeKind::kUnary:
      return std::string("(") + spelling(node.op) + shape(expr, node.lhs) + ")";
    case NodeKind::kBinary:
      return "(" + shape(expr, node.lhs) + " " + spelling(node.op) + " " + shape(expr, node.rhs) +
             ")";
    case NodeKind::kCall: {
      std::string out = node.text + "(";
      for (int k = 0; k < node.arg_count; ++k) {
        out +=
            (k > 0 ? ", " : "") + shape(expr, expr.args[static_cast<size_t>(node.first_arg + k)]);
      }
      return out + ")";
    }
    case NodeKind::kString:
      return "\"" + node.text + "\"";
    default:
      return to_string(expr, ref);
  }
}

std::string shape_of(std::string_view source) {
  auto expr = parse(source);
  if (!expr) {
    return "error: " + expr.error().message;
  }
  return shape(*expr, expr->root);
}

TEST(ParserTest, PrecedenceTable) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a || b && c", "(a || (b && c))"},
      {"a && b || c", "((a && b) || c)"},
      {"a && b == c", "(a && (b == c))"},
      {"a == b < c", "(a == (b < c))"},
      {"a < b + c", "(a < (b + c))"},
      {"a + b * c", "(a + (b * c))"},
      {"a * b + c", "((a * b) + c)"},
      {"a - b % c", "(a - (b % c))"},
      {"-a * b", "((-a) * b)"},
      {"!a && b", "((!a) && b)"},
      {"!a == b", "((!a) == b)"},
      {"-a + -b", "((-a) + (-b))"},
      {"(a || b) && c", "((a || b) && c)"},
      {"a * (b + c)", "(a * (b + c))"},
      {"!(a > 0)", "(!(a > 0))"},
      {"--a", "(-(-a))"},
      {"!-!a", "(!(-(!a)))"},
      {"a != b >= c", "(a != (b >= c))"},
      {"orders_90d >= 3 && monetary_365d > 500", "((orders_90d >= 3) && (monetary_365d > 500))"},
      {"affinity(\"shoes\") >= 0.4 || p_alive < 0.3",
       "((affinity(\"shoes\") >= 0.4) || (p_alive < 0.3))"},
      {"f(a + b, -c, \"x\")", "f((a + b), (-c), \"x\")"},
      {"f()", "f()"},
  };
  for (const auto& [source, expected] : cases) {
    EXPECT_EQ(shape_of(source), expected) << source;
  }
}

TEST(ParserTest, EveryBinaryOperatorAssociatesLeft) {
  for (const char* op : {"*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||"}) {
    const std::string o = op;
    EXPECT_EQ(shape_of("a " + o + " b " + o + " c"), "((a " + o + " b) " + o + " c)") << op;
    EXPECT_EQ(shape_of("a " + o + " (b " + o + " c)"), "(a " + o + " (b " + o + " c))") << op;
  }
  EXPECT_EQ(shape_of("a - b + c"), "((a - b) + c)");
  EXPECT_EQ(shape_of("a / b * c % d"), "(((a / b) * c) % d)");
  EXPECT_EQ(shape_of("a < b >= c > d"), "(((a < b) >= c) > d)");
  EXPECT_EQ(shape_of("a == b != c"), "((a == b) != c)");
}

TEST(ParserTest, ParsesLiterals) {
  auto expr = parse("1.5e3 + 0.25 + 7 + 2E-2 + true + false");
  ASSERT_TRUE(expr.has_value()) << expr.error().message;
  std::vector<double> numbers;
  for (const Node& node : expr->nodes) {
    if (node.kind == NodeKind::kNumber || node.kind == NodeKind::kBoolean) {
      numbers.push_back(node.number);
    }
  }
  EXPECT_EQ(numbers, (std::vector<double>{1500.0, 0.25, 7.0, 0.02, 1.0, 0.0}));
  EXPECT_EQ(to_string(*expr), "1500 + 0.25 + 7 + 0.02 + true + false");
}

TEST(ParserTest, StringEscapes) {
  auto expr = parse(R"(affinity("a\"b\\c"))");
  ASSERT_TRUE(expr.has_value()) << expr.error().message;
  EXPECT_EQ(expr->node(expr->args[0]).text, "a\"b\\c");
  EXPECT_EQ(to_string(*expr), R"(affinity("a\"b\\c"))");
}

TEST(ParserTest, WhitespaceIsInsignificant) {
  EXPECT_EQ(parse(" a\t>\n3\r&&b "), parse("a > 3 && b"));
  EXPECT_EQ(shape_of("a>=3&&!(b<=2)"), "((a >= 3) && (!(b <= 2)))");
}

TEST(ParserTest, ToStringIsCanonicalAndMinimal) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"((a)) + (b * c)", "a + b * c"},
      {"(a + b) * c", "(a + b) * c"},
      {"a - (b - c)", "a - (b - c)"},
      {"(a - b) - c", "a - b - c"},
      {"!(a && b)", "!(a && b)"},
      {"-(-a)", "--a"},
      {"(a < b) == (c < d)", "a < b == c < d"},
      {"a<(b<c)", "a < (b < c)"},
      {"f( a ,\"s\" )", "f(a, \"s\")"},
      {"0.1 + 100000 + 1e21 + 1e-7 + 1.25e-300", "0.1 + 100000 + 1e+21 + 0.0000001 + 1.25e-300"},
  };
  for (const auto& [source, expected] : cases) {
    auto expr = parse(source);
    ASSERT_TRUE(expr.has_value()) << source;
    EXPECT_EQ(to_string(*expr), expected) << source;
  }
}

TEST(ParserTest, RoundTripGivesSameTree) {
  for (const char* source :
       {"orders_90d >= 3 && monetary_365d > 500",
        "days_since_last_purchase > 60 && !(cart_open > 0)",
        "affinity(\"shoes\") >= 0.4 || p_alive < 0.3", "a - (b - (c - d)) * -(e % 2)",
        "!(!a || (b && c)) == (d != e)", "f(g(1, \"x\\\"y\"), -a, (b || c))",
        "0.30000000000000004 + 1.7976931348623157e308 + 5e-300", "((a < b) < c) < (d < e)"}) {
    auto first = parse(source);
    ASSERT_TRUE(first.has_value()) << source << ": " << first.error().message;
    const std::string text = to_string(*first);
    auto second = parse(text);
    ASSERT_TRUE(second.has_value()) << text << ": " << second.error().message;
    EXPECT_EQ(*first, *second) << source << " -> " << text;
    EXPECT_EQ(to_string(*second), text);
  }
}

TEST(ParserTest, RecordsColumns) {
  auto expr = parse("ab + f(\"x\")");
  ASSERT_TRUE(expr.has_value());
  ASSERT_EQ(expr->nodes.size(), 4u);
  EXPECT_EQ(expr->column(NodeRef{0}), 1);  // ab
  EXPECT_EQ(expr->column(NodeRef{1}), 8);  // "x"
  EXPECT_EQ(expr->column(NodeRef{2}), 6);  // f(...)
  EXPECT_EQ(expr->column(NodeRef{3}), 4);  // +
  EXPECT_EQ(expr->root, NodeRef{3});
}

TEST(ParserTest, LongFlatChainsAreAccepted) {
  std::string source = "a";
  while (source.size() + 4 <= kMaxSourceLength) {
    source += " + a";
  }
  auto expr = parse(source);
  ASSERT_TRUE(expr.has_value()) << expr.error().message;
  EXPECT_EQ(to_string(*expr), source);
}

}  // namespace
}  // namespace segd::core::rules
