#include "io/codec/proto_event_codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "io/codec/json_event_codec.h"
#include "segd/v1/events.pb.h"

namespace segd::io {
namespace {

segd::v1::Event make_message(std::string_view type) {
  segd::v1::Event m;
  m.set_type(std::string(type));
  m.set_customer_id("c42");
  m.set_ts_ms(1'772'359'200'000);
  return m;
}

std::string code_of(const segd::v1::Event& m) {
  const auto r = decode_proto_event(m.SerializeAsString());
  return r ? std::string("ok") : r.error().code;
}

TEST(ProtoEventCodecTest, RoundTripsEventProtoEvent) {
  const auto purchase = decode_json_event(
      R"({"event_id":"e-2","type":"purchase","customer_id":"c42","ts":1772359200000,)"
      R"("session_id":"s","order_id":"o-17","amount":119.8,"currency":"EUR","items":[)"
      R"({"product_id":"p7","category":"shoes","quantity":2,"price":59.9}]})");
  ASSERT_TRUE(purchase.has_value());
  const std::string bytes = encode_proto_event(*purchase);
  const auto back = decode_proto_event(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, *purchase);
  EXPECT_EQ(encode_proto_event(*back), bytes);
}

TEST(ProtoEventCodecTest, AgreesWithJsonDecoder) {
  const auto from_json = decode_json_event(
      R"({"type":"add_to_cart","customer_id":"c42","ts":1772359200000,"product_id":"p","price":5})");
  segd::v1::Event m = make_message("add_to_cart");
  m.set_product_id("p");
  m.set_price(5);
  const auto from_proto = decode_proto_event(m.SerializeAsString());
  ASSERT_TRUE(from_json && from_proto);
  EXPECT_EQ(*from_proto, *from_json);
  EXPECT_EQ(from_proto->quantity, 1);
}

TEST(ProtoEventCodecTest, RejectsUndecodableBytes) {
  EXPECT_EQ(decode_proto_event("\xFF\xFF\xFF\xFF").error().code, "bad_protobuf");
  EXPECT_EQ(decode_proto_event(R"({"type":"page_view"})").error().code, "bad_protobuf");
  segd::v1::Event m = make_message("page_view");
  m.set_session_id("s\xFF");
  EXPECT_EQ(code_of(m), "bad_protobuf");  // proto3 strings must be UTF-8
}

TEST(ProtoEventCodecTest, RejectsPayloadAboveLimit) {
  segd::v1::Event m = make_message("page_view");
  m.set_query(std::string(70 * 1024, 'q'));
  EXPECT_EQ(code_of(m), "too_large");
}

TEST(ProtoEventCodecTest, ReportsMissingAndUnknown) {
  EXPECT_EQ(decode_proto_event("").error().code, "missing_field:customer_id");
  segd::v1::Event m = make_message("");
  EXPECT_EQ(code_of(m), "missing_field:type");
  m = make_message("page_view");
  m.clear_ts_ms();
  EXPECT_EQ(code_of(m), "missing_field:ts");
  EXPECT_EQ(code_of(make_message("teleport")), "unknown_type");
  m = make_message("page_view");
  m.set_ts_ms(-5);
  EXPECT_EQ(code_of(m), "bad_timestamp");
}

TEST(ProtoEventCodecTest, ExplicitZeroQuantityIsRejected) {
  segd::v1::Event m = make_message("add_to_cart");
  m.set_product_id("p");
  m.set_quantity(0);
  EXPECT_EQ(code_of(m), "bad_field:quantity");
}

TEST(ProtoEventCodecTest, PurchaseAmountPresence) {
  segd::v1::Event m = make_message("purchase");
  m.set_order_id("o");
  segd::v1::LineItem* item = m.add_items();
  item->set_product_id("p");
  item->set_price(2.5);
  item->set_quantity(4);
  const auto derived = decode_proto_event(m.SerializeAsString());
  ASSERT_TRUE(derived.has_value());
  EXPECT_EQ(derived->amount, 10.0);
  m.set_amount(0.0);  // explicitly free: kept as given
  EXPECT_EQ(decode_proto_event(m.SerializeAsString()).value().amount, 0.0);
  m.set_amount(-1.0);
  EXPECT_EQ(code_of(m), "negative_amount");
  segd::v1::Event refund = make_message("refund");
  refund.set_order_id("o");
  EXPECT_EQ(code_of(refund), "missing_field:amount");
}

TEST(ProtoEventCodecTest, ErasureIgnoresEveryOtherField) {
  segd::v1::Event m = make_message("erasure");
  m.set_event_id("er1");
  m.set_price(-1);
  m.set_amount(std::numeric_limits<double>::quiet_NaN());
  m.set_quantity(0);
  m.set_currency("eur");
  m.set_session_id("s\n");
  for (int i = 0; i < 101; ++i) {
    m.add_items()->set_price(-1);
  }
  const auto r = decode_proto_event(m.SerializeAsString());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  core::Event expected;
  expected.type = core::EventType::kErasure;
  expected.customer_id = "c42";
  expected.ts = core::TimestampMs{1'772'359'200'000};
  expected.event_id = "er1";
  EXPECT_EQ(*r, expected);
  m.set_event_id("er\n1");
  EXPECT_EQ(code_of(m), "bad_field:event_id");
}

}  // namespace
}  // namespace segd::io
