#include "io/codec/json_event_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/events/validate.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

namespace rj = rapidjson;
using Allocator = rj::MemoryPoolAllocator<rj::CrtAllocator>;
using Document = rj::GenericDocument<rj::UTF8<>, Allocator, Allocator>;
using Value = rj::GenericValue<rj::UTF8<>, Allocator>;
using core::Result;

// Arena sizes on the decoder's stack (payload copy, DOM values, parser stack): a typical event (< 1
// KiB) parses without touching the heap.
constexpr size_t kValueArenaBytes = 8 * 1024;
constexpr size_t kParseArenaBytes = 2 * 1024;
constexpr size_t kTextArenaBytes = 2 * 1024;
// Chunk size once an arena is full (large events only).
constexpr size_t kHeapChunkBytes = 64 * 1024;
// Full precision so that the shortest round-trip text written by JsonWriter reads back to the
// same bits.
constexpr unsigned kParseFlags = rj::kParseFullPrecisionFlag;
// Deepest accepted nesting of objects and arrays. An event needs 3 (event, items, item); the
// bound keeps the recursive parser's stack small and stops "[[[[..." payloads early.
constexpr int kMaxDepth = 64;

enum class Field : uint8_t {
  kEventId,
  kType,
  kCustomerId,
  kTs,
  kSessionId,
  kProductId,
  kCategory,
  kQuery,
  kPrice,
  kQuantity,
  kOrderId,
  kAmount,
  kCurrency,
  kItems,
};

constexpr std::array<std::string_view, 14> kFieldNames = {
    "event_id", "type",  "customer_id", "ts",       "session_id", "product_id", "category",
    "query",    "price", "quantity",    "order_id", "amount",     "currency",   "items",
};

enum class ItemField : uint8_t { kProductId, kCategory, kQuantity, kPrice };

constexpr std::array<std::string_view, 4> kItemFieldNames = {"product_id", "category", "quantity",
                                                             "price"};

// Builds the DOM through the document's SAX interface and stops the parse when the nesting
// gets deeper than kMaxDepth.
class DepthLimiter {
 public:
  explicit DepthLimiter(Document& doc) : doc_(doc) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rj::SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
  bool String(const char* s, rj::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rj::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool EndObject(rj::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rj::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  [[nodiscard]] bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    too_deep_ = ++depth_ > kMaxDepth;
    return !too_deep_;
  }

  Document& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// Parses the NUL-terminated, writable `text` in place into `doc` (strings in the DOM point into
// `text`, which must outlive it); the error is always `bad_json`.
Result<void> parse(char* text, Document& doc, Allocator& parse_allocator) {
  // RFC 8259 lets parsers ignore a leading UTF-8 byte order mark.
  if (std::string_view(text).starts_with("\xEF\xBB\xBF")) {
    text += 3;
  }
  rj::InsituStringStream stream(text);
  rj::GenericReader<rj::UTF8<>, rj::UTF8<>, Allocator> reader(&parse_allocator);
  DepthLimiter limiter(doc);
  const auto generate = [&](Document&) {
    return !reader.Parse<kParseFlags | rj::kParseInsituFlag>(stream, limiter).IsError();
  };
  doc.Populate(generate);
  if (limiter.too_deep()) {
    return core::fail("bad_json", "nesting deeper than " + std::to_string(kMaxDepth));
  }
  if (reader.HasParseError()) {
    return core::fail("bad_json", std::string(rj::GetParseError_En(reader.GetParseErrorCode())) +
                                      " at offset " + std::to_string(reader.GetErrorOffset()));
  }
  if (!doc.IsObject()) {
    return core::fail("bad_json", "the top level is not an object");
  }
  return {};
}

template <typename Enum, size_t N>
std::optional<Enum> find_field(const std::array<std::string_view, N>& names, const Value& key) {
  const std::string_view name(key.GetString(), key.GetStringLength());
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

// Everything read from the top-level object before the cross-field checks.
struct Decoded {
  core::Event event;
  const Value* type = nullptr;
  const Value* ts = nullptr;
  core::AmountField amount = core::AmountField::kAbsent;
};

std::unexpected<core::Error> bad_field(std::string_view name, std::string_view why) {
  return core::fail("bad_field:" + std::string(name), std::string(name) + " " + std::string(why));
}

// Moves a decoded value into its field, or passes the error on.
template <typename T>
Result<void> assign(Result<T> value, T& target) {
  if (!value) {
    return std::unexpected(std::move(value.error()));
  }
  target = std::move(*value);
  return {};
}

Result<std::string> read_string(const Value& value, std::string_view name) {
  if (!value.IsString()) {
    return bad_field(name, "must be a string");
  }
  return std::string(value.GetString(), value.GetStringLength());
}

Result<double> read_double(const Value& value, std::string_view name) {
  if (!value.IsNumber()) {
    return bad_field(name, "must be a number");
  }
  return value.GetDouble();
}

Result<int64_t> read_int(const Value& value, std::string_view name) {
  if (!value.IsInt64()) {
    return bad_field(name, "must be an integer within the int64 range");
  }
  return value.GetInt64();
}

Result<core::LineItem> read_item(const Value& value) {
  if (!value.IsObject()) {
    return bad_field("items", "must hold objects");
  }
  core::LineItem item;
  uint32_t seen = 0;
  for (const auto& member : value.GetObject()) {
    const auto field = find_field<ItemField>(kItemFieldNames, member.name);
    if (!field || member.value.IsNull()) {
      continue;
    }
    const std::string name = "items." + std::string(kItemFieldNames[static_cast<size_t>(*field)]);
    const uint32_t bit = 1U << static_cast<unsigned>(*field);
    if ((seen & bit) != 0) {
      return bad_field(name, "appears twice");
    }
    seen |= bit;
    Result<void> ok;
    switch (*field) {
      case ItemField::kProductId:
        ok = assign(read_string(member.value, name), item.product_id);
        break;
      case ItemField::kCategory:
        ok = assign(read_string(member.value, name), item.category);
        break;
      case ItemField::kQuantity:
        ok = assign(read_int(member.value, name), item.quantity);
        break;
      case ItemField::kPrice:
        ok = assign(read_double(member.value, name), item.price);
        break;
    }
    if (!ok) {
      return std::unexpected(std::move(ok.error()));
    }
  }
  return item;
}

Result<std::vector<core::LineItem>> read_items(const Value& value, const DecodeLimits& limits) {
  if (!value.IsArray()) {
    return bad_field("items", "must be an array");
  }
  // Reject before decoding thousands of items only to drop them.
  if (value.Size() > limits.validation.max_items) {
    return core::fail("too_large", std::to_string(value.Size()) + " line items, the limit is " +
                                       std::to_string(limits.validation.max_items));
  }
  std::vector<core::LineItem> items;
  items.reserve(value.Size());
  for (const auto& element : value.GetArray()) {
    auto item = read_item(element);
    if (!item) {
      return std::unexpected(std::move(item.error()));
    }
    items.push_back(std::move(*item));
  }
  return items;
}

std::string* string_member(core::Event& event, Field field) {
  switch (field) {
    case Field::kEventId:
      return &event.event_id;
    case Field::kCustomerId:
      return &event.customer_id;
    case Field::kSessionId:
      return &event.session_id;
    case Field::kProductId:
      return &event.product_id;
    case Field::kCategory:
      return &event.category;
    case Field::kQuery:
      return &event.query;
    case Field::kOrderId:
      return &event.order_id;
    case Field::kCurrency:
      return &event.currency;
    default:
      return nullptr;
  }
}

Result<void> read_member(Decoded& out,
                         Field field,
                         const Value& value,
                         const DecodeLimits& limits) {
  const std::string_view name = kFieldNames[static_cast<size_t>(field)];
  if (std::string* target = string_member(out.event, field)) {
    return assign(read_string(value, name), *target);
  }
  switch (field) {
    case Field::kType:
      if (!value.IsString()) {
        return bad_field(name, "must be a string");
      }
      out.type = &value;
      return {};
    case Field::kTs:
      out.ts = &value;
      return {};
    case Field::kPrice:
      return assign(read_double(value, name), out.event.price);
    case Field::kAmount:
      out.amount = core::AmountField::kPresent;
      return assign(read_double(value, name), out.event.amount);
    case Field::kQuantity:
      return assign(read_int(value, name), out.event.quantity);
    case Field::kItems:
      return assign(read_items(value, limits), out.event.items);
    default:
      return {};
  }
}

Result<Decoded> read_object(const Value& root, const DecodeLimits& limits) {
  Decoded out;
  uint32_t seen = 0;
  for (const auto& member : root.GetObject()) {
    const auto field = find_field<Field>(kFieldNames, member.name);
    if (!field || member.value.IsNull()) {
      continue;
    }
    const uint32_t bit = 1U << static_cast<unsigned>(*field);
    if ((seen & bit) != 0) {
      return bad_field(kFieldNames[static_cast<size_t>(*field)], "appears twice");
    }
    seen |= bit;
    if (auto ok = read_member(out, *field, member.value, limits); !ok) {
      return std::unexpected(std::move(ok.error()));
    }
  }
  return out;
}

Result<core::TimestampMs> read_ts(const Value& value) {
  if (value.IsString()) {
    const std::string_view text(value.GetString(), value.GetStringLength());
    auto ts = core::parse_rfc3339(text);
    if (!ts) {
      return core::fail("bad_timestamp", "ts '" + std::string(text) + "' is not RFC 3339");
    }
    return *ts;
  }
  if (value.IsInt64()) {
    return core::TimestampMs{value.GetInt64()};
  }
  if (value.IsNumber()) {
    return core::fail("bad_timestamp", "ts must be integer epoch milliseconds or RFC 3339");
  }
  return bad_field("ts", "must be an RFC 3339 string or an integer");
}

// The cross-field checks of the JSON form, then the semantic ones shared with protobuf.
Result<core::Event> finish(Decoded decoded, const DecodeLimits& limits) {
  core::Event& event = decoded.event;
  if (event.customer_id.empty()) {
    return core::fail("missing_field:customer_id", "customer_id is missing or empty");
  }
  if (decoded.type == nullptr || decoded.type->GetStringLength() == 0) {
    return core::fail("missing_field:type", "type is missing or empty");
  }
  if (decoded.ts == nullptr) {
    return core::fail("missing_field:ts", "ts is missing");
  }
  const std::string_view type_name(decoded.type->GetString(), decoded.type->GetStringLength());
  const auto type = core::event_type_from_name(type_name);
  if (!type) {
    return core::fail("unknown_type", "unknown event type '" + std::string(type_name) + "'");
  }
  event.type = *type;
  auto ts = read_ts(*decoded.ts);
  if (!ts) {
    return std::unexpected(std::move(ts.error()));
  }
  event.ts = *ts;
  return core::validate_event(std::move(event), decoded.amount, limits.validation);
}

void write_items(JsonWriter& w, const std::vector<core::LineItem>& items) {
  w.begin_array();
  for (const core::LineItem& item : items) {
    w.begin_object();
    w.key("product_id");
    w.string(item.product_id);
    if (!item.category.empty()) {
      w.key("category");
      w.string(item.category);
    }
    w.key("quantity");
    w.number(item.quantity);
    w.key("price");
    w.number(item.price);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

Result<core::Event> decode_json_event(std::string_view payload, const DecodeLimits& limits) {
  if (payload.size() > limits.max_payload_bytes) {
    return core::fail("too_large", "payload is " + std::to_string(payload.size()) +
                                       " bytes, the limit is " +
                                       std::to_string(limits.max_payload_bytes));
  }
  // A raw NUL is never valid JSON, and in-situ parsing would stop at it.
  if (payload.find('\0') != std::string_view::npos) {
    return core::fail("bad_json", "payload contains a NUL byte");
  }
  // In-situ parsing needs a writable, NUL-terminated copy; small payloads stay on the stack.
  alignas(16) char text_arena[kTextArenaBytes];
  std::string large_text;
  char* text = text_arena;
  if (payload.size() < sizeof text_arena) {
    std::memcpy(text_arena, payload.data(), payload.size());
    text_arena[payload.size()] = '\0';
  } else {
    large_text.assign(payload);
    text = large_text.data();
  }
  alignas(16) char value_arena[kValueArenaBytes];
  alignas(16) char parse_arena[kParseArenaBytes];
  rj::CrtAllocator heap;
  Allocator value_allocator(value_arena, sizeof value_arena, kHeapChunkBytes, &heap);
  Allocator parse_allocator(parse_arena, sizeof parse_arena, kHeapChunkBytes, &heap);
  Document doc(&value_allocator, kParseArenaBytes / 2, &parse_allocator);
  if (auto ok = parse(text, doc, parse_allocator); !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  auto decoded = read_object(doc, limits);
  if (!decoded) {
    return std::unexpected(std::move(decoded.error()));
  }
  return finish(std::move(*decoded), limits);
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
  w.key("type");
  w.string(core::event_type_name(event.type));
  w.key("customer_id");
  w.string(event.customer_id);
  w.key("ts");
  w.string(core::format_rfc3339(event.ts));
  optional_string("session_id", event.session_id);
  optional_string("product_id", event.product_id);
  optional_string("category", event.category);
  optional_string("query", event.query);
  if (event.price != 0.0) {
    w.key("price");
    w.number(event.price);
  }
  if (event.quantity != 1) {
    w.key("quantity");
    w.number(event.quantity);
  }
  optional_string("order_id", event.order_id);
  const bool has_amount =
      event.type == core::EventType::kPurchase || event.type == core::EventType::kRefund;
  if (has_amount || event.amount != 0.0) {
    w.key("amount");
    w.number(event.amount);
  }
  optional_string("currency", event.currency);
  if (!event.items.empty()) {
    w.key("items");
    write_items(w, event.items);
  }
  w.end_object();
  return w.take();
}

}  // namespace segd::io
