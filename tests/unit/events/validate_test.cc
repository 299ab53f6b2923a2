#include "core/events/validate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace segd::core {
namespace {

constexpr int64_t kTs = 1'772'359'200'000;  // 2026-03-01T10:00:00Z

Event make_event(EventType type) {
  Event e;
  e.type = type;
  e.customer_id = "c42";
  e.ts = TimestampMs{kTs};
  switch (type) {
    case EventType::kProductView:
    case EventType::kAddToCart:
    case EventType::kRemoveFromCart:
      e.product_id = "p7";
      break;
    case EventType::kPurchase:
    case EventType::kRefund:
      e.order_id = "o-17";
      e.amount = 119.8;
      break;
    default:
      break;
  }
  return e;
}

LineItem make_item(int64_t quantity, double price) {
  return LineItem{.product_id = "p7", .category = "shoes", .quantity = quantity, .price = price};
}

std::string code_of(const Result<Event>& r) { return r ? std::string("ok") : r.error().code; }

TEST(ValidateEventTest, AcceptsMinimalEventOfEveryType) {
  for (int t = 0; t < kEventTypeCount; ++t) {
    const auto type = static_cast<EventType>(t);
    const Event e = make_event(type);
    const auto r = validate_event(e);
    ASSERT_TRUE(r.has_value()) << event_type_name(type) << ": " << r.error().message;
    EXPECT_EQ(*r, e);
  }
}

TEST(ValidateEventTest, RejectsEmptyCustomerId) {
  Event e = make_event(EventType::kPageView);
  e.customer_id.clear();
  const auto r = validate_event(e);
  EXPECT_EQ(code_of(r), "missing_field:customer_id");
  EXPECT_FALSE(r.error().message.empty());
}

TEST(ValidateEventTest, RejectsLongCustomerIdAndControlCharacters) {
  Event e = make_event(EventType::kPageView);
  e.customer_id = std::string(129, 'c');
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:customer_id");
  e.customer_id = std::string(128, 'c');
  EXPECT_EQ(code_of(validate_event(e)), "ok");
  e.customer_id = "c\t42";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:customer_id");
  e.customer_id = "c\xFF";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:customer_id");
}

TEST(ValidateEventTest, LimitsAreConfigurable) {
  Event e = make_event(EventType::kPageView);
  e.customer_id = "c12345";
  EXPECT_EQ(code_of(validate_event(e, ValidationLimits{.max_customer_id_bytes = 5})),
            "bad_field:customer_id");
}

TEST(ValidateEventTest, RejectsTimestampOutsideRange) {
  Event e = make_event(EventType::kPageView);
  e.ts = TimestampMs{-1};
  EXPECT_EQ(code_of(validate_event(e)), "bad_timestamp");
  e.ts = ValidationLimits{}.max_ts;
  EXPECT_EQ(code_of(validate_event(e)), "bad_timestamp");
  e.ts = TimestampMs{ValidationLimits{}.max_ts.value() - 1};
  EXPECT_EQ(code_of(validate_event(e)), "ok");
}

TEST(ValidateEventTest, MaxTimestampIsYear2200) {
  EXPECT_EQ(parse_rfc3339("2200-01-01T00:00:00Z").value(), ValidationLimits{}.max_ts);
}

TEST(ValidateEventTest, RejectsBadIdentifiersAndText) {
  Event e = make_event(EventType::kProductView);
  e.product_id = std::string(129, 'p');
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:product_id");
  e = make_event(EventType::kPageView);
  e.session_id = "s\n1";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:session_id");
  e = make_event(EventType::kPageView);
  e.event_id = "e\x01";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:event_id");
  e = make_event(EventType::kPageView);
  e.category = std::string(257, 'x');
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:category");
}

TEST(ValidateEventTest, QueryMayHoldControlCharactersButMustBeUtf8) {
  Event e = make_event(EventType::kSearch);
  e.query = "red\tshoes";
  EXPECT_EQ(code_of(validate_event(e)), "ok");
  e.query = "red\xC3";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:query");
}

TEST(ValidateEventTest, CurrencyIsEmptyOrIso4217) {
  Event e = make_event(EventType::kPurchase);
  e.currency = "EUR";
  EXPECT_EQ(code_of(validate_event(e)), "ok");
  for (const char* bad : {"eur", "EURO", "E1R"}) {
    e.currency = bad;
    EXPECT_EQ(code_of(validate_event(e)), "bad_field:currency") << bad;
  }
}

TEST(ValidateEventTest, RejectsBadQuantityAndPrice) {
  Event e = make_event(EventType::kAddToCart);
  e.quantity = 0;
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:quantity");
  e.quantity = -3;
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:quantity");
  e.quantity = 1'000'001;
  EXPECT_EQ(code_of(validate_event(e)), "too_large");
  e.quantity = 2;
  e.price = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:price");
  e.price = std::numeric_limits<double>::infinity();
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:price");
  e.price = -0.01;
  EXPECT_EQ(code_of(validate_event(e)), "negative_amount");
  e.price = 2e9;
  EXPECT_EQ(code_of(validate_event(e)), "too_large");
}

TEST(ValidateEventTest, RejectsNegativeNonFiniteAndHugeAmounts) {
  for (const EventType type : {EventType::kPurchase, EventType::kRefund}) {
    Event e = make_event(type);
    e.amount = -1.0;
    EXPECT_EQ(code_of(validate_event(e)), "negative_amount");
    e.amount = 1e9 + 1;
    EXPECT_EQ(code_of(validate_event(e)), "too_large");
    e.amount = std::nan("");
    EXPECT_EQ(code_of(validate_event(e)), "bad_field:amount");
  }
}

TEST(ValidateEventTest, RejectsBadLineItems) {
  Event e = make_event(EventType::kPurchase);
  e.items = {make_item(1, 10.0), make_item(0, 10.0)};
  const auto r = validate_event(e);
  EXPECT_EQ(code_of(r), "bad_field:items.quantity");
  EXPECT_NE(r.error().message.find("item 1"), std::string::npos);
  e.items = {make_item(1, -10.0)};
  EXPECT_EQ(code_of(validate_event(e)), "negative_amount");
  e.items = {make_item(1, std::numeric_limits<double>::infinity())};
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:items.price");
  e.items = {make_item(1, 1.0)};
  e.items[0].product_id.clear();
  EXPECT_EQ(code_of(validate_event(e)), "missing_field:items.product_id");
  e.items = std::vector<LineItem>(101, make_item(1, 1.0));
  EXPECT_EQ(code_of(validate_event(e)), "too_large");
}

TEST(ValidateEventTest, PurchaseAndRefundNeedOrderId) {
  for (const EventType type : {EventType::kPurchase, EventType::kRefund}) {
    Event e = make_event(type);
    e.order_id.clear();
    EXPECT_EQ(code_of(validate_event(e)), "missing_field:order_id");
  }
}

TEST(ValidateEventTest, ViewAndCartEventsNeedProductId) {
  for (const EventType type :
       {EventType::kProductView, EventType::kAddToCart, EventType::kRemoveFromCart}) {
    Event e = make_event(type);
    e.product_id.clear();
    EXPECT_EQ(code_of(validate_event(e)), "missing_field:product_id") << event_type_name(type);
  }
}

TEST(ValidateEventTest, PurchaseWithoutAmountDerivesItFromItems) {
  Event e = make_event(EventType::kPurchase);
  e.amount = 0.0;
  e.items = {make_item(2, 59.9), make_item(3, 0.333)};
  const auto r = validate_event(e, AmountField::kAbsent);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->amount, 120.80);  // 119.8 + 0.999 = 120.799 -> 120.80
}

TEST(ValidateEventTest, GivenAmountIsKeptEvenWhenItemsDisagree) {
  Event e = make_event(EventType::kPurchase);
  e.amount = 100.0;  // after a discount
  e.items = {make_item(2, 59.9)};
  EXPECT_EQ(validate_event(e, AmountField::kPresent).value().amount, 100.0);
}

TEST(ValidateEventTest, MissingAmountWithoutItemsIsRejected) {
  EXPECT_EQ(code_of(validate_event(make_event(EventType::kPurchase), AmountField::kAbsent)),
            "missing_field:amount");
  Event refund = make_event(EventType::kRefund);
  refund.items = {make_item(1, 5.0)};
  EXPECT_EQ(code_of(validate_event(refund, AmountField::kAbsent)), "missing_field:amount");
}

TEST(ValidateEventTest, DerivedAmountAboveLimitIsTooLarge) {
  Event e = make_event(EventType::kPurchase);
  e.items = {make_item(1'000'000, 1e9)};
  EXPECT_EQ(code_of(validate_event(e, AmountField::kAbsent)), "too_large");
}

TEST(DerivedAmountTest, RoundsToCentsHalfAwayFromZero) {
  EXPECT_EQ(derived_amount({}), 0.0);
  EXPECT_EQ(derived_amount({make_item(1, 0.125)}), 0.13);
  EXPECT_EQ(derived_amount({make_item(3, 0.1)}), 0.3);
  EXPECT_EQ(derived_amount({make_item(2, 59.9)}), 119.8);
}

TEST(ValidateEventTest, EventIdIsOptionalForEveryType) {
  for (int t = 0; t < kEventTypeCount; ++t) {
    Event e = make_event(static_cast<EventType>(t));
    e.event_id.clear();
    EXPECT_TRUE(validate_event(e).has_value());
  }
}

TEST(ValidateEventTest, ErasureChecksOnlyCustomerTimeAndEventIdAndKeepsNothingElse) {
  Event e = make_event(EventType::kErasure);
  e.event_id = "er1";
  e.session_id = "s\n";
  e.product_id = std::string(200, 'p');
  e.category = "c\x01";
  e.query = "q\xC3";
  e.price = -1.0;
  e.quantity = 0;
  e.order_id = "o\t";
  e.amount = std::nan("");
  e.currency = "eur";
  e.items = std::vector<LineItem>(101, make_item(0, -1.0));
  e.items[0].product_id.clear();
  const auto r = validate_event(e, AmountField::kAbsent);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  Event expected = make_event(EventType::kErasure);
  expected.event_id = "er1";
  EXPECT_EQ(*r, expected);

  e.event_id = "er\n1";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:event_id");
  e.event_id = "er1";
  e.ts = TimestampMs{-1};
  EXPECT_EQ(code_of(validate_event(e)), "bad_timestamp");
  e.ts = TimestampMs{kTs};
  e.customer_id = "c\t42";
  EXPECT_EQ(code_of(validate_event(e)), "bad_field:customer_id");
}

TEST(ValidateEventTest, MoneyMessagesShowTheShortestRoundTripValue) {
  Event e = make_event(EventType::kPageView);
  e.price = 1000000000.0000001;
  EXPECT_EQ(validate_event(e).error().message, "price 1000000000.0000001 is above the limit 1e+09");
  e.price = 1e308;
  EXPECT_EQ(validate_event(e).error().message, "price 1e+308 is above the limit 1e+09");
  e = make_event(EventType::kRefund);
  e.amount = -1e-9;
  EXPECT_EQ(validate_event(e).error().message, "amount is negative (-1e-09)");
  e.amount = -0.1;
  EXPECT_EQ(validate_event(e).error().message, "amount is negative (-0.1)");
}

}  // namespace
}  // namespace segd::core
