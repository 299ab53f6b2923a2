#include "io/codec/json_event_codec.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/events/validate.h"
#include "io/codec/json_event_reader.h"
#include "io/codec/json_number.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

using core::Result;

// In-situ parsing needs a writable copy of the payload (kJsonTextPadding bytes longer); one this
// small stays on the stack.
constexpr size_t kTextArenaBytes = size_t{2} * 1024;

// `value` is a string or a number: other JSON types were reported where they stood.
Result<core::TimestampMs> read_ts(const JsonScalar& value) {
  if (value.kind == JsonScalar::Kind::kString) {
    auto ts = core::parse_rfc3339(value.text);
    if (!ts) {
      return core::fail("bad_timestamp", "ts '" + std::string(value.text) + "' is not RFC 3339");
    }
    return *ts;
  }
  if (const auto ms = json_number_to_int64(value.text)) {
    return core::TimestampMs{*ms};
  }
  return core::fail("bad_timestamp", "ts must be integer epoch milliseconds or RFC 3339");
}

// The cross-field checks of the JSON form, then the semantic ones shared with protobuf.
Result<void> finish(const JsonEventFields& decoded,
                    core::Event& event,
                    const DecodeLimits& limits) {
  if (event.customer_id.empty()) {
    return core::fail("missing_field:customer_id", "customer_id is missing or empty");
  }
  if (!decoded.type || decoded.type->empty()) {
    return core::fail("missing_field:type", "type is missing or empty");
  }
  if (!decoded.ts) {
    return core::fail("missing_field:ts", "ts is missing");
  }
  const auto type = core::event_type_from_name(*decoded.type);
  if (!type) {
    return core::fail("unknown_type", "unknown event type '" + std::string(*decoded.type) + "'");
  }
  event.type = *type;
  auto ts = read_ts(*decoded.ts);
  if (!ts) {
    return std::unexpected(std::move(ts.error()));
  }
  event.ts = *ts;
  return core::validate_event_in_place(event, decoded.amount, limits.validation);
}

}  // namespace

Result<void> decode_json_event_into(std::string_view payload,
                                    core::Event& event,
                                    const DecodeLimits& limits) {
  if (payload.size() > limits.max_payload_bytes) {
    return std::unexpected(payload_too_large(payload.size(), limits));
  }
  // A raw NUL is never valid JSON, and in-situ parsing would stop at it.
  if (payload.find('\0') != std::string_view::npos) {
    return core::fail("bad_json", "payload contains a NUL byte");
  }
  // Room for the writable, NUL-terminated copy that rapidjson parses in place, should the plain
  // scan give up on the payload; small payloads' stays on the stack.
  std::array<char, kTextArenaBytes> text_arena;  // Not cleared: the copy fills it.
  std::string large_text;
  char* text = text_arena.data();
  if (payload.size() + kJsonTextPadding > text_arena.size()) {
    large_text.resize(payload.size() + kJsonTextPadding);
    text = large_text.data();
  }
  auto decoded = read_json_event_fields(payload, text, limits, event);
  if (!decoded) {
    return std::unexpected(std::move(decoded.error()));
  }
  return finish(*decoded, event, limits);
}

namespace {

void write_items(JsonWriter& w, const std::vector<core::LineItem>& items) {
  w.begin_array();
  for (const core::LineItem& item : items) {
    w.begin_object();
    w.key("product_id"_key);
    w.string(item.product_id);
    if (!item.category.empty()) {
      w.key("category"_key);
      w.string(item.category);
    }
    w.key("quantity"_key);
    w.number(item.quantity);
    w.key("price"_key);
    w.number(item.price);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

core::Error payload_too_large(size_t bytes, const DecodeLimits& limits) {
  return {"too_large", "payload is " + std::to_string(bytes) + " bytes, the limit is " +
                           std::to_string(limits.max_payload_bytes)};
}

Result<core::Event> decode_json_event(std::string_view payload, const DecodeLimits& limits) {
  // Decoded where it is returned from, so the event is never moved (each move copies its short
  // strings: two of them were 2% of a replay's instructions).
  Result<core::Event> event{std::in_place};
  if (auto ok = decode_json_event_into(payload, *event, limits); !ok) {
    event = std::unexpected(std::move(ok.error()));
  }
  return event;
}

std::string encode_json_event(const core::Event& event) {
  JsonWriter w;
  w.begin_object();
  const auto optional_string = [&w](std::string_view key, const std::string& value) {
    if (!value.empty()) {
      w.key(key);
      w.string(value);
    }
  };
  optional_string("event_id", event.event_id);
  w.key("type"_key);
  w.string(core::event_type_name(event.type));
  w.key("customer_id"_key);
  w.string(event.customer_id);
  w.key("ts"_key);
  w.string(core::format_rfc3339(event.ts));
  optional_string("session_id", event.session_id);
  optional_string("product_id", event.product_id);
  optional_string("category", event.category);
  optional_string("query", event.query);
  if (event.price != 0.0) {
    w.key("price"_key);
    w.number(event.price);
  }
  if (event.quantity != 1) {
    w.key("quantity"_key);
    w.number(event.quantity);
  }
  optional_string("order_id", event.order_id);
  const bool has_amount =
      event.type == core::EventType::kPurchase || event.type == core::EventType::kRefund;
  if (has_amount || event.amount != 0.0) {
    w.key("amount"_key);
    w.number(event.amount);
  }
  optional_string("currency", event.currency);
  if (!event.items.empty()) {
    w.key("items"_key);
    write_items(w, event.items);
  }
  w.end_object();
  return w.take();
}

}  // namespace segd::io
