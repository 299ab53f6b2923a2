#include "io/codec/proto_event_codec.h"

#include <limits>
#include <string>
#include <utility>

#include "core/common/check.h"
#include "core/events/validate.h"
#include "segd/v1/events.pb.h"

namespace segd::io {
namespace {

using core::Result;

core::LineItem from_proto(const segd::v1::LineItem& in) {
  core::LineItem item;
  item.product_id = in.product_id();
  item.category = in.category();
  item.quantity = in.has_quantity() ? in.quantity() : 1;
  item.price = in.price();
  return item;
}

core::Event from_proto(segd::v1::Event& in) {
  core::Event event;
  event.event_id = std::move(*in.mutable_event_id());
  event.customer_id = std::move(*in.mutable_customer_id());
  event.ts = core::TimestampMs{in.ts_ms()};
  event.session_id = std::move(*in.mutable_session_id());
  event.product_id = std::move(*in.mutable_product_id());
  event.category = std::move(*in.mutable_category());
  event.query = std::move(*in.mutable_query());
  event.price = in.price();
  event.quantity = in.has_quantity() ? in.quantity() : 1;
  event.order_id = std::move(*in.mutable_order_id());
  event.amount = in.amount();
  event.currency = std::move(*in.mutable_currency());
  event.items.reserve(static_cast<size_t>(in.items_size()));
  for (const segd::v1::LineItem& item : in.items()) {
    event.items.push_back(from_proto(item));
  }
  return event;
}

}  // namespace

Result<core::Event> decode_proto_event(std::string_view payload, const DecodeLimits& limits) {
  if (payload.size() > limits.max_payload_bytes) {
    return core::fail("too_large", "payload is " + std::to_string(payload.size()) +
                                       " bytes, the limit is " +
                                       std::to_string(limits.max_payload_bytes));
  }
  segd::v1::Event message;
  // ParseFromArray takes an int size; the limit check above keeps it in range for sane limits.
  if (payload.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return core::fail("bad_protobuf", "payload is not a serialized segd.v1.Event");
  }
  // The same precedence as the JSON decoder: customer_id, type, ts, then the type's name.
  if (message.customer_id().empty()) {
    return core::fail("missing_field:customer_id", "customer_id is missing or empty");
  }
  if (message.type().empty()) {
    return core::fail("missing_field:type", "type is missing or empty");
  }
  if (message.ts_ms() == 0) {
    return core::fail("missing_field:ts", "ts_ms is missing (0)");
  }
  const auto type = core::event_type_from_name(message.type());
  if (!type) {
    return core::fail("unknown_type", "unknown event type '" + message.type() + "'");
  }
  const core::AmountField amount =
      message.has_amount() ? core::AmountField::kPresent : core::AmountField::kAbsent;
  core::Event event = from_proto(message);
  event.type = *type;
  if (auto ok = core::validate_event_in_place(event, amount, limits.validation); !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  return event;
}

std::string encode_proto_event(const core::Event& event) {
  segd::v1::Event out;
  out.set_event_id(event.event_id);
  out.set_type(std::string(core::event_type_name(event.type)));
  out.set_customer_id(event.customer_id);
  out.set_ts_ms(event.ts.value());
  out.set_session_id(event.session_id);
  out.set_product_id(event.product_id);
  out.set_category(event.category);
  out.set_price(event.price);
  out.set_quantity(event.quantity);
  out.set_query(event.query);
  out.set_order_id(event.order_id);
  out.set_amount(event.amount);
  out.set_currency(event.currency);
  for (const core::LineItem& item : event.items) {
    segd::v1::LineItem* line = out.add_items();
    line->set_product_id(item.product_id);
    line->set_category(item.category);
    line->set_quantity(item.quantity);
    line->set_price(item.price);
  }
  std::string bytes;
  // Serializing a message we just built fails only on a broken invariant (size over 2 GiB).
  CHECK(out.SerializeToString(&bytes));
  return bytes;
}

}  // namespace segd::io
