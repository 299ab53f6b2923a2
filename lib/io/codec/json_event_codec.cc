#include "io/codec/json_event_codec.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/events/validate.h"
#include "io/codec/json_number.h"
#include "io/codec/json_writer.h"

namespace segd::io {
namespace {

namespace rj = rapidjson;
using Allocator = rj::MemoryPoolAllocator<rj::CrtAllocator>;
using core::Result;

// The parser's own stack lives on the decoder's stack for typical events (< 1 KiB); the
// payload copy too.
constexpr size_t kParseArenaBytes = 2 * 1024;
constexpr size_t kTextArenaBytes = 2 * 1024;
// Chunk size once the arena is full (large events only).
constexpr size_t kHeapChunkBytes = 64 * 1024;
// Numbers are passed on as their text and read with std::from_chars (json_number.h): rapidjson
// 1.1.0's own conversion reads some (`0e40`) with undefined behaviour and others (`100e307`)
// wrongly. The grammar is still the parser's to check.
constexpr unsigned kParseFlags = rj::kParseNumbersAsStringsFlag | rj::kParseInsituFlag;
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

constexpr std::array<std::string_view, 4> kItemFieldNames = {"items.product_id", "items.category",
                                                             "items.quantity", "items.price"};

// Which events a field's problems count for. An erasure checks only the fields every event has
// and ignores the others (FORMATS.md).
enum class Checked : uint8_t { kForAllTypes, kUnlessErasure };

constexpr Checked checked(Field field) {
  switch (field) {
    case Field::kEventId:
    case Field::kType:
    case Field::kCustomerId:
    case Field::kTs:
      return Checked::kForAllTypes;
    default:
      return Checked::kUnlessErasure;
  }
}

constexpr Checked checked(ItemField) { return Checked::kUnlessErasure; }

template <typename Enum, size_t N>
std::optional<Enum> find_field(const std::array<std::string_view, N>& names,
                               std::string_view key,
                               std::string_view prefix = {}) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i].substr(prefix.size()) == key) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

std::unexpected<core::Error> bad_field(std::string_view name, std::string_view why) {
  return core::fail("bad_field:" + std::string(name), std::string(name) + " " + std::string(why));
}

// One JSON value as the parser reports it: a scalar, or the start of an object or array.
struct Scalar {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };
  Kind kind = Kind::kNull;
  std::string_view text;  // kString: the decoded string; kNumber: the number as written
};

Result<std::string> read_string(const Scalar& v, std::string_view name) {
  if (v.kind != Scalar::Kind::kString) {
    return bad_field(name, "must be a string");
  }
  return std::string(v.text);
}

Result<double> read_double(const Scalar& v, std::string_view name) {
  if (v.kind != Scalar::Kind::kNumber) {
    return bad_field(name, "must be a number");
  }
  const auto number = json_number_to_double(v.text);
  if (!number) {
    return bad_field(name, std::string(v.text) + " is out of the range of a double");
  }
  return *number;
}

Result<int64_t> read_int(const Scalar& v, std::string_view name) {
  const auto number = v.kind == Scalar::Kind::kNumber ? json_number_to_int64(v.text) : std::nullopt;
  if (!number) {
    return bad_field(name, "must be an integer within the int64 range");
  }
  return *number;
}

// Where the parser's numbers are read from: its own view of them, or, when it was shown a copy
// with the numbers masked (mask_json_numbers), the payload at the same offset.
struct NumberTexts {
  const char* masked = nullptr;  // the start of the masked copy the parser reads
  std::string_view payload;      // what was masked

  [[nodiscard]] std::string_view text(const char* s, size_t n) const {
    if (masked == nullptr) {
      return {s, n};
    }
    const std::string_view rest = payload.substr(static_cast<size_t>(s - masked));
    return rest.substr(0, json_number_length(rest));
  }
};

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

// Everything read from the top-level object before the cross-field checks.
struct Decoded {
  core::Event event;
  std::optional<std::string_view> type;
  std::optional<Scalar> ts;
  core::AmountField amount = core::AmountField::kAbsent;
};

// Decodes the event straight from the parser's callbacks (no DOM). Each value is checked as it
// arrives, in document order, and the first problem is kept, and apart from it the first problem
// of the fields every event has: an erasure reports only that one, and its `type` may come last.
// The parse still runs to the end, so a syntax error anywhere is reported as `bad_json` first.
// Values of unknown fields, and of fields already found wrong, are skipped whole. Stops the
// parse only when the nesting gets deeper than kMaxDepth.
class EventReader : public rj::BaseReaderHandler<rj::UTF8<>, EventReader> {
 public:
  EventReader(const DecodeLimits& limits, NumberTexts numbers)
      : limits_(limits), numbers_(numbers) {}

  bool Null() { return value(Scalar{}); }
  bool Bool(bool) { return value(Scalar{.kind = Scalar::Kind::kBool}); }
  bool RawNumber(const char* s, rj::SizeType n, bool) {
    return value(Scalar{.kind = Scalar::Kind::kNumber, .text = numbers_.text(s, n)});
  }
  bool String(const char* s, rj::SizeType n, bool) {
    return value(Scalar{.kind = Scalar::Kind::kString, .text = std::string_view(s, n)});
  }
  bool Key(const char* s, rj::SizeType n, bool) {
    key_ = std::string_view(s, n);
    return true;
  }
  bool StartObject() { return value(Scalar{.kind = Scalar::Kind::kObject}); }
  bool StartArray() { return value(Scalar{.kind = Scalar::Kind::kArray}); }
  bool EndObject(rj::SizeType) { return end(); }
  bool EndArray(rj::SizeType) { return end(); }

  [[nodiscard]] bool too_deep() const { return too_deep_; }
  [[nodiscard]] bool root_is_object() const { return root_is_object_; }
  /// The first problem found that counts for the event's type, or the decoded fields.
  [[nodiscard]] Result<Decoded> take() && {
    const bool erasure = decoded_.type == core::event_type_name(core::EventType::kErasure);
    std::optional<core::Error>& error = erasure ? error_for_all_types_ : error_;
    if (error) {
      return std::unexpected(std::move(*error));
    }
    return std::move(decoded_);
  }

 private:
  // What the innermost open object or array is.
  enum class Scope : uint8_t { kEvent, kItems, kItem, kSkipped };

  bool value(const Scalar& v) {
    const bool opens = v.kind == Scalar::Kind::kObject || v.kind == Scalar::Kind::kArray;
    Scope opened = Scope::kSkipped;
    if (depth_ == 0) {
      root_is_object_ = v.kind == Scalar::Kind::kObject;
      opened = root_is_object_ ? Scope::kEvent : Scope::kSkipped;
    } else {
      switch (scopes_[depth_ - 1]) {
        case Scope::kEvent:
          opened = event_member(v);
          break;
        case Scope::kItems:
          opened = items_element(v);
          break;
        case Scope::kItem:
          item_member(v);
          break;
        case Scope::kSkipped:
          break;
      }
    }
    if (!opens) {
      return true;
    }
    if (depth_ >= kMaxDepth) {
      too_deep_ = true;
      return false;
    }
    scopes_[depth_++] = opened;
    return true;
  }

  bool end() {
    const Scope closed = scopes_[--depth_];
    if (closed == Scope::kItems && items_seen_ > limits_.validation.max_items) {
      // The problem stands at the first entry too many; the entries after it are skipped, so
      // nothing was found between there and here, and fail() keeps document order.
      fail(core::Error{"too_large", std::to_string(items_seen_) + " line items, the limit is " +
                                        std::to_string(limits_.validation.max_items)},
           Checked::kUnlessErasure);
    }
    if (closed == Scope::kItem && !error_) {
      decoded_.event.items.push_back(std::move(item_));
    }
    return true;
  }

  void fail(core::Error error, Checked checked) {
    if (in_items()) {
      // As validate_event() does, a problem in the list names its entry (FORMATS.md).
      error.message += " (item " + std::to_string(items_seen_ - 1) + ")";
    }
    if (checked == Checked::kForAllTypes && !error_for_all_types_) {
      error_for_all_types_ = error;
    }
    if (!error_) {
      error_ = std::move(error);
    }
  }

  // Whether the value at hand is an entry of the items list or inside one.
  [[nodiscard]] bool in_items() const {
    return depth_ > 0 &&
           (scopes_[depth_ - 1] == Scope::kItems || scopes_[depth_ - 1] == Scope::kItem);
  }

  // Moves a decoded value into its field, or keeps the error.
  template <typename T>
  void put(Result<T> value, T& target, Checked checked) {
    if (value) {
      target = std::move(*value);
    } else {
      fail(std::move(value.error()), checked);
    }
  }

  // The field `key_` names among `names` (compared without `prefix`) when it is known and its
  // value is not null (null counts as absent). A second one in the same object is reported,
  // whether or not either copy is null.
  template <typename Enum, size_t N>
  std::optional<Enum> first_sighting(const std::array<std::string_view, N>& names,
                                     std::string_view prefix,
                                     const Scalar& v,
                                     uint32_t& seen) {
    const auto field = find_field<Enum>(names, key_, prefix);
    if (!field) {
      return std::nullopt;
    }
    const uint32_t bit = 1U << static_cast<unsigned>(*field);
    if ((seen & bit) != 0) {
      fail(bad_field(names[static_cast<size_t>(*field)], "appears twice").error(), checked(*field));
      return std::nullopt;
    }
    seen |= bit;
    if (v.kind == Scalar::Kind::kNull) {
      return std::nullopt;
    }
    return field;
  }

  Scope event_member(const Scalar& v) {
    const auto field = first_sighting<Field>(kFieldNames, {}, v, seen_);
    if (!field) {
      return Scope::kSkipped;
    }
    const std::string_view name = kFieldNames[static_cast<size_t>(*field)];
    const Checked for_types = checked(*field);
    core::Event& event = decoded_.event;
    if (std::string* target = string_member(event, *field)) {
      put(read_string(v, name), *target, for_types);
      return Scope::kSkipped;
    }
    switch (*field) {
      case Field::kType:
        if (v.kind != Scalar::Kind::kString) {
          fail(bad_field(name, "must be a string").error(), for_types);
        } else {
          decoded_.type = v.text;
        }
        break;
      case Field::kTs:
        // Read as a time only after the type (FORMATS.md); the JSON type is checked here, in
        // document order, as for every field.
        if (v.kind == Scalar::Kind::kString || v.kind == Scalar::Kind::kNumber) {
          decoded_.ts = v;
        } else {
          fail(bad_field(name, "must be an RFC 3339 string or an integer").error(), for_types);
        }
        break;
      case Field::kPrice:
        put(read_double(v, name), event.price, for_types);
        break;
      case Field::kAmount:
        decoded_.amount = core::AmountField::kPresent;
        put(read_double(v, name), event.amount, for_types);
        break;
      case Field::kQuantity:
        put(read_int(v, name), event.quantity, for_types);
        break;
      case Field::kItems:
        if (v.kind != Scalar::Kind::kArray) {
          fail(bad_field(name, "must be an array").error(), for_types);
          break;
        }
        items_seen_ = 0;
        return Scope::kItems;
      default:
        break;
    }
    return Scope::kSkipped;
  }

  Scope items_element(const Scalar& v) {
    if (++items_seen_ > limits_.validation.max_items) {
      return Scope::kSkipped;  // Reported as too_large when the list ends (and its size is known).
    }
    if (v.kind != Scalar::Kind::kObject) {
      fail(bad_field("items", "must hold objects").error(), Checked::kUnlessErasure);
      return Scope::kSkipped;
    }
    if (decoded_.event.items.empty()) {
      decoded_.event.items.reserve(4);
    }
    item_ = core::LineItem{};
    item_seen_ = 0;
    return Scope::kItem;
  }

  void item_member(const Scalar& v) {
    const auto field = first_sighting<ItemField>(kItemFieldNames, "items.", v, item_seen_);
    if (!field) {
      return;
    }
    const std::string_view name = kItemFieldNames[static_cast<size_t>(*field)];
    const Checked for_types = checked(*field);
    switch (*field) {
      case ItemField::kProductId:
        put(read_string(v, name), item_.product_id, for_types);
        break;
      case ItemField::kCategory:
        put(read_string(v, name), item_.category, for_types);
        break;
      case ItemField::kQuantity:
        put(read_int(v, name), item_.quantity, for_types);
        break;
      case ItemField::kPrice:
        put(read_double(v, name), item_.price, for_types);
        break;
    }
  }

  const DecodeLimits& limits_;
  NumberTexts numbers_;
  std::array<Scope, kMaxDepth> scopes_{};
  int depth_ = 0;
  bool too_deep_ = false;
  bool root_is_object_ = false;
  std::string_view key_;
  uint32_t seen_ = 0;
  uint32_t item_seen_ = 0;
  size_t items_seen_ = 0;
  core::LineItem item_;
  Decoded decoded_;
  std::optional<core::Error> error_;
  std::optional<core::Error> error_for_all_types_;
};

// rapidjson calls a raw control character in a string an "invalid escape character"; the byte
// at the offset tells the two apart (in-situ parsing has not written there yet).
std::string syntax_error_message(const char* text, rj::ParseErrorCode code, size_t offset) {
  const auto byte = static_cast<unsigned char>(text[offset]);
  if (code == rj::kParseErrorStringEscapeInvalid && byte < 0x20) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "U+%04X", byte);
    return "raw control character " + std::string(hex) + " in a string at offset " +
           std::to_string(offset) + ": U+0000..U+001F must be escaped";
  }
  return std::string(rj::GetParseError_En(code)) + " at offset " + std::to_string(offset);
}

// One pass of the parser over the NUL-terminated `text`, in place, into `events`.
rj::ParseResult run_parser(char* text, EventReader& events, Allocator& parse_allocator) {
  rj::InsituStringStream stream(text);
  rj::GenericReader<rj::UTF8<>, rj::UTF8<>, Allocator> reader(&parse_allocator);
  return reader.Parse<kParseFlags>(stream, events);
}

// What a pass found: syntax problems (`bad_json`) first, then the event or its first problem.
Result<Decoded> outcome(const char* text, rj::ParseResult syntax, EventReader& events) {
  if (events.too_deep()) {
    return core::fail("bad_json", "nesting deeper than " + std::to_string(kMaxDepth));
  }
  if (syntax.IsError()) {
    return core::fail("bad_json", syntax_error_message(text, syntax.Code(), syntax.Offset()));
  }
  if (!events.root_is_object()) {
    return core::fail("bad_json", "the top level is not an object");
  }
  return std::move(events).take();
}

// Copies `payload` into `text` (payload.size() + 1 bytes) and ends it with a NUL.
void copy_terminated(std::string_view payload, char* text) {
  std::memcpy(text, payload.data(), payload.size());
  text[payload.size()] = '\0';
}

// Parses a copy of `payload` in `text` (payload.size() + 1 writable bytes), in place: decoded
// strings point into `text` or `payload`, which must outlive the result.
Result<Decoded> parse(std::string_view payload,
                      char* text,
                      const DecodeLimits& limits,
                      Allocator& parse_allocator) {
  // RFC 8259 lets parsers ignore a leading UTF-8 byte order mark.
  if (payload.starts_with("\xEF\xBB\xBF")) {
    payload.remove_prefix(3);
  }
  copy_terminated(payload, text);
  EventReader events(limits, NumberTexts{});
  const rj::ParseResult syntax = run_parser(text, events, parse_allocator);
  if (syntax.Code() == rj::kParseErrorNumberTooBig) {
    // rapidjson 1.1.0 refuses some valid numbers even when asked only for their text (`0e400`,
    // an exponent above 308 plus the digits after the point; an integer part over 309 digits).
    // Read a copy with every number masked as `0` once more, and take the numbers from the
    // payload. Rare, so the common path stays a single pass.
    copy_terminated(payload, text);
    mask_json_numbers({text, payload.size()});
    EventReader masked(limits, NumberTexts{.masked = text, .payload = payload});
    return outcome(text, run_parser(text, masked, parse_allocator), masked);
  }
  return outcome(text, syntax, events);
}

// `value` is a string or a number: other JSON types were reported where they stood.
Result<core::TimestampMs> read_ts(const Scalar& value) {
  if (value.kind == Scalar::Kind::kString) {
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
Result<core::Event> finish(Decoded decoded, const DecodeLimits& limits) {
  core::Event& event = decoded.event;
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
  if (payload.size() >= sizeof text_arena) {
    large_text.resize(payload.size());
    text = large_text.data();
  }
  alignas(16) char parse_arena[kParseArenaBytes];
  rj::CrtAllocator heap;
  Allocator parse_allocator(parse_arena, sizeof parse_arena, kHeapChunkBytes, &heap);
  auto decoded = parse(payload, text, limits, parse_allocator);
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
