#include "gen/line_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "mini_json.h"

namespace segd::gen {
namespace {

GenEvent purchase() {
  const Catalog catalog;
  GenEvent e;
  e.kind = core::EventType::kPurchase;
  e.customer = 42;
  e.event_no = 7;
  e.ts_ms = 1772359200000;  // 2026-03-01T10:00:00Z
  e.session_no = 3;
  e.order_no = 2;
  e.items = {GenItem{5, 2, 5990}, GenItem{805, 1, 1205}};
  e.amount_cents = 2 * 5990 + 1205;
  return e;
}

TEST(LineWriterTest, RendersThePurchaseFormatOfTheDesign) {
  const Catalog catalog;
  LineWriter writer(catalog, 4);
  EXPECT_EQ(
      writer.render(purchase()),
      "{\"event_id\":\"e42-7\",\"type\":\"purchase\",\"customer_id\":\"c0042\","
      "\"ts\":\"2026-03-01T10:00:00Z\",\"session_id\":\"s42-3\",\"order_id\":\"o42-2\","
      "\"amount\":131.85,\"currency\":\"EUR\",\"items\":["
      "{\"product_id\":\"p5\",\"category\":\"electronics\",\"quantity\":2,\"price\":59.90},"
      "{\"product_id\":\"p805\",\"category\":\"apparel\",\"quantity\":1,\"price\":12.05}]}\n");
}

TEST(LineWriterTest, WritesEpochMillisAndResendIds) {
  const Catalog catalog;
  LineWriter writer(catalog, 1);
  GenEvent e = purchase();
  e.ts_format = TsFormat::kEpochMs;
  e.resend = 1;
  const std::string line(writer.render(e));
  EXPECT_NE(line.find("\"ts\":1772359200000,"), std::string::npos);
  EXPECT_NE(line.find("\"event_id\":\"e42-7r1\""), std::string::npos);
  EXPECT_NE(line.find("\"order_id\":\"o42-2\""), std::string::npos);
}

TEST(LineWriterTest, BadLinesAreBadInTheirOwnWay) {
  const Catalog catalog;
  LineWriter writer(catalog, 1);
  const GenEvent e = purchase();
  for (uint64_t variant = 0; variant < 50; ++variant) {
    const std::string truncated(writer.render_bad(e, BadKind::kInvalidJson, variant));
    EXPECT_FALSE(testing::parse_json(truncated).has_value()) << truncated;
  }
  const std::string big(writer.render_bad(e, BadKind::kOversized, 3));
  EXPECT_GT(big.size(), kOversizeBytes);
  EXPECT_TRUE(testing::parse_json(big).has_value());
  const auto missing = testing::parse_json(writer.render_bad(e, BadKind::kMissingCustomerId, 0));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->find("customer_id"), nullptr);
  const auto unknown = testing::parse_json(writer.render_bad(e, BadKind::kUnknownType, 1));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->find("type")->text, "wishlist_add");
  GenEvent negative = e;
  negative.amount_cents = -1205;
  const auto neg = testing::parse_json(writer.render_bad(negative, BadKind::kNegativeAmount, 0));
  ASSERT_TRUE(neg.has_value());
  EXPECT_EQ(neg->find("amount")->text, "-12.05");
}

TEST(LineWriterTest, PadsCustomerIds) {
  EXPECT_EQ(format_customer_id(42, 5), "c00042");
  EXPECT_EQ(format_customer_id(123456, 3), "c123456");
}

}  // namespace
}  // namespace segd::gen
