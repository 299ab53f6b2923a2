#include "io/codec/json_event_reader.h"

// rapidjson scans strings and whitespace 16 bytes at a time with SSE2 (every x86-64 CPU has it).
// Its aligned loads may read up to 15 bytes past the text's NUL, within the same aligned block,
// and so may the string scan below: the texts are padded for that (kJsonTextPadding). This is the
// only file that includes rapidjson, so every use of it is built the same way.
#if defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "core/events/text.h"
#include "io/codec/json_field_lookup.h"
#include "io/codec/json_number.h"
#include "io/codec/json_plain_scan.h"

#if defined(RAPIDJSON_SSE2)
// The scan of a string's run without escapes, for the one reader this file uses, replaces
// rapidjson 1.1.0's in-place one (with the SkipUnescapedString it calls, which nothing else does)
// for two reasons:
// - Theirs let the bytes 0x1A..0x1F through in whole 16-byte blocks (they test s <= 0x19), so a
//   raw control byte there was accepted when RFC 8259 forbids it.
// - Theirs go byte by byte up to a 16-byte boundary before loading aligned blocks, as an
//   unaligned load could cross into an unmapped page. Most strings of an event (keys, ids) end
//   before that boundary: the byte loop was 4.7% of a replay's instructions.
// Every text this file parses has kJsonTextPadding bytes from its NUL on, so a 16-byte load from
// anywhere up to the NUL stays inside it, and this scan loads from the string's first byte. It
// stops where rapidjson's means to: at the first quote, backslash or byte below 0x20 (the NUL at
// the latest), and leaves the rest of the string to the parser.
namespace {

// Where the first byte that ends a run of plain string bytes stands among the 16 at `p`, or 16.
inline unsigned plain_run_in_block(const char* p) {
  // Bit 16 stands for "none in this block".
  return static_cast<unsigned>(std::countr_zero(segd::io::string_stops_in_block(p) | (1U << 16U)));
}

}  // namespace

using RapidjsonReader =
    rapidjson::GenericReader<rapidjson::UTF8<>,
                             rapidjson::UTF8<>,
                             rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>>;

// `is` and `os` are the same stream. Before the string's first escape the text stays where it
// is; after it, each run moves back over the bytes its escapes no longer take (dst_ < src_). The
// two cases keep loops of their own: one loop with a test for the move ran 0.6% more
// instructions per replay.
template <>
inline void RapidjsonReader::ScanCopyUnescapedString(  // NOLINT(readability-identifier-naming)
    rapidjson::InsituStringStream& is,
    rapidjson::InsituStringStream& os) {
  char* p = is.src_;
  char* q = os.dst_;
  if (p == q) {
    for (unsigned run = 16; run == 16; p += run) {
      run = plain_run_in_block(p);
    }
    is.src_ = os.dst_ = p;
    return;
  }
  for (unsigned run = 16; run == 16; p += run, q += run) {
    run = plain_run_in_block(p);
    std::memmove(q, p, run);
  }
  is.src_ = p;
  os.dst_ = q;
}
#endif

namespace segd::io {
namespace {

namespace rj = rapidjson;
using Allocator = rj::MemoryPoolAllocator<rj::CrtAllocator>;
using core::Result;

// The parser's own stack lives on the decoder's stack for typical events (< 1 KiB).
constexpr size_t kParseArenaBytes = size_t{2} * 1024;
// Chunk size once the arena is full (large events only).
constexpr size_t kHeapChunkBytes = size_t{64} * 1024;
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

constexpr FieldLookup kFields(kFieldNames, "");
constexpr FieldLookup kItemFields(kItemFieldNames, "items.");

// Cold, as fail() is: problems are rare, and their messages' code kept inline gave every field's
// happy path a larger stack frame (0.5% of a replay's instructions).
[[gnu::cold]] std::unexpected<core::Error> bad_field(std::string_view name, std::string_view why) {
  return core::fail("bad_field:" + std::string(name), std::string(name) + " " + std::string(why));
}

Result<double> read_double(const JsonScalar& v, std::string_view name) {
  if (v.kind != JsonScalar::Kind::kNumber) {
    return bad_field(name, "must be a number");
  }
  const auto number = json_number_to_double(v.text);
  if (!number) {
    return bad_field(name, std::string(v.text) + " is out of the range of a double");
  }
  return *number;
}

Result<int64_t> read_int(const JsonScalar& v, std::string_view name) {
  const auto number =
      v.kind == JsonScalar::Kind::kNumber ? json_number_to_int64(v.text) : std::nullopt;
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

// Decodes the event straight from the parser's callbacks (no DOM). Each value is checked as it
// arrives, in document order, and the first problem is kept, and apart from it the first problem
// of the fields every event has: an erasure reports only that one, and its `type` may come last.
// The parse still runs to the end, so a syntax error anywhere is reported as `bad_json` first.
// Values of unknown fields, and of fields already found wrong, are skipped whole. Stops the
// parse only when the nesting gets deeper than kMaxDepth.
class EventReader : public rj::BaseReaderHandler<rj::UTF8<>, EventReader> {
 public:
  EventReader(const DecodeLimits& limits, NumberTexts numbers, core::Event& event)
      : limits_(limits), numbers_(numbers), event_(event) {}

  bool Null() { return value(JsonScalar{}); }
  bool Bool(bool) { return value(JsonScalar{.kind = JsonScalar::Kind::kBool}); }
  bool RawNumber(const char* s, rj::SizeType n, bool) {
    return value(JsonScalar{.kind = JsonScalar::Kind::kNumber, .text = numbers_.text(s, n)});
  }
  bool String(const char* s, rj::SizeType n, bool) {
    return value(JsonScalar{.kind = JsonScalar::Kind::kString, .text = std::string_view(s, n)});
  }
  bool Key(const char* s, rj::SizeType n, bool) {
    key_ = std::string_view(s, n);
    return true;
  }
  bool StartObject() { return value(JsonScalar{.kind = JsonScalar::Kind::kObject}); }
  bool StartArray() { return value(JsonScalar{.kind = JsonScalar::Kind::kArray}); }
  bool EndObject(rj::SizeType) { return end(); }
  bool EndArray(rj::SizeType) { return end(); }

  [[nodiscard]] bool too_deep() const { return too_deep_; }
  [[nodiscard]] bool root_is_object() const { return root_is_object_; }
  /// The first problem found that counts for the event's type, or the decoded fields.
  [[nodiscard]] Result<JsonEventFields> take() && {
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

  bool value(const JsonScalar& v) {
    const bool opens = v.kind == JsonScalar::Kind::kObject || v.kind == JsonScalar::Kind::kArray;
    Scope opened = Scope::kSkipped;
    if (depth_ == 0) {
      root_is_object_ = v.kind == JsonScalar::Kind::kObject;
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
      event_.items.push_back(std::move(item_));
    }
    return true;
  }

  [[gnu::cold]] void fail(core::Error error, Checked checked) {
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

  // Stores a decoded number in its field, or keeps the error.
  template <typename T>
  void put(Result<T> value, T& target, Checked checked) {
    if (!value) {
      fail(std::move(value.error()), checked);
    } else {
      target = *value;
    }
  }

  // Copies a string's text into its field, or keeps the error. No Result in between: most of an
  // event's fields are strings, and building and destroying one took a quarter of their cost.
  // Inlined by force: left to GCC 12 it was not, and a replay ran 2% more instructions.
  [[gnu::always_inline]] void put_text(const JsonScalar& v,
                                       std::string_view name,
                                       std::string& target,
                                       Checked checked) {
    if (v.kind == JsonScalar::Kind::kString) {
      copy_text(v.text, target);
    } else {
      fail(bad_field(name, "must be a string").error(), checked);
    }
  }

  // One copy of `text` into `target`'s buffer: std::string's assignment takes its general path
  // (_M_replace, which allows for overlap), about 75 instructions for an id of a few bytes.
  static void copy_text(std::string_view text, std::string& target) {
    target.resize_and_overwrite(text.size(), [text](char* out, size_t /*passed*/) {
      std::memcpy(out, text.data(), text.size());
      return text.size();  // Not the size passed: libstdc++ 12 passes its grown capacity.
    });
  }

  // The field `key_` names among `fields` when it is known and its value is not null (null
  // counts as absent). A second one in the same object is reported, whether or not either copy is
  // null.
  template <typename Enum, size_t N>
  std::optional<Enum> first_sighting(const FieldLookup<N>& fields,
                                     const JsonScalar& v,
                                     uint32_t& seen) {
    const std::optional<size_t> index = fields.find(key_);
    if (!index) {
      return std::nullopt;
    }
    const auto field = static_cast<Enum>(*index);
    const uint32_t bit = 1U << *index;
    if ((seen & bit) != 0) {
      fail(bad_field(fields.names[*index], "appears twice").error(), checked(field));
      return std::nullopt;
    }
    seen |= bit;
    if (v.kind == JsonScalar::Kind::kNull) {
      return std::nullopt;
    }
    return field;
  }

  Scope event_member(const JsonScalar& v) {
    const auto field = first_sighting<Field>(kFields, v, seen_);
    if (!field) {
      return Scope::kSkipped;
    }
    const std::string_view name = kFieldNames[static_cast<size_t>(*field)];
    const Checked for_types = checked(*field);
    core::Event& event = event_;
    if (std::string* target = string_member(event, *field)) {
      put_text(v, name, *target, for_types);
      return Scope::kSkipped;
    }
    switch (*field) {
      case Field::kType:
        if (v.kind != JsonScalar::Kind::kString) {
          fail(bad_field(name, "must be a string").error(), for_types);
        } else {
          decoded_.type = v.text;
        }
        break;
      case Field::kTs:
        // Read as a time only after the type (FORMATS.md); the JSON type is checked here, in
        // document order, as for every field.
        if (v.kind == JsonScalar::Kind::kString || v.kind == JsonScalar::Kind::kNumber) {
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
        if (v.kind != JsonScalar::Kind::kArray) {
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

  Scope items_element(const JsonScalar& v) {
    if (++items_seen_ > limits_.validation.max_items) {
      return Scope::kSkipped;  // Reported as too_large when the list ends (and its size is known).
    }
    if (v.kind != JsonScalar::Kind::kObject) {
      fail(bad_field("items", "must hold objects").error(), Checked::kUnlessErasure);
      return Scope::kSkipped;
    }
    if (event_.items.empty()) {
      event_.items.reserve(4);
    }
    item_ = core::LineItem{};
    item_seen_ = 0;
    return Scope::kItem;
  }

  void item_member(const JsonScalar& v) {
    const auto field = first_sighting<ItemField>(kItemFields, v, item_seen_);
    if (!field) {
      return;
    }
    const std::string_view name = kItemFieldNames[static_cast<size_t>(*field)];
    const Checked for_types = checked(*field);
    switch (*field) {
      case ItemField::kProductId:
        put_text(v, name, item_.product_id, for_types);
        break;
      case ItemField::kCategory:
        put_text(v, name, item_.category, for_types);
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
  core::Event& event_;
  JsonEventFields decoded_;
  std::optional<core::Error> error_;
  std::optional<core::Error> error_for_all_types_;
};

// rapidjson calls a raw control character in a string an "invalid escape character"; the byte
// at the offset tells the two apart (in-situ parsing has not written there yet).
std::string syntax_error_message(const char* text, rj::ParseErrorCode code, size_t offset) {
  const auto byte = static_cast<unsigned char>(text[offset]);
  if (code == rj::kParseErrorStringEscapeInvalid && byte < 0x20) {
    return "raw control character " + core::code_point_name(byte) + " in a string at offset " +
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
Result<JsonEventFields> outcome(const char* text, rj::ParseResult syntax, EventReader& events) {
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

// Copies `payload` into `text` and fills the padding after it with NULs: the first ends the
// text, the others are what the string scans read past it (defined bytes, for tools such as
// valgrind).
void copy_terminated(std::string_view payload, char* text) {
  std::memcpy(text, payload.data(), payload.size());
  std::memset(text + payload.size(), 0, kJsonTextPadding);
}

}  // namespace

Result<JsonEventFields> read_json_event_fields(std::string_view payload,
                                               char* text,
                                               const DecodeLimits& limits,
                                               core::Event& event,
                                               JsonParsers parsers) {
  // RFC 8259 lets parsers ignore a leading UTF-8 byte order mark.
  if (payload.starts_with("\xEF\xBB\xBF")) {
    payload.remove_prefix(3);
  }
  if (parsers == JsonParsers::kPlainScanFirst) {
    EventReader plain(limits, NumberTexts{}, event);
    if (scan_plain_json(payload, plain) == PlainScan::kDone) {
      return outcome(payload.data(), rj::ParseResult(), plain);
    }
    event = core::Event{};  // Read again from the start.
  }
  alignas(16) std::array<char, kParseArenaBytes> parse_arena;  // Not cleared: the parser's.
  rj::CrtAllocator heap;
  Allocator parse_allocator(parse_arena.data(), parse_arena.size(), kHeapChunkBytes, &heap);
  copy_terminated(payload, text);
  EventReader events(limits, NumberTexts{}, event);
  const rj::ParseResult syntax = run_parser(text, events, parse_allocator);
  if (syntax.Code() == rj::kParseErrorNumberTooBig) {
    // rapidjson 1.1.0 refuses some valid numbers even when asked only for their text (`0e400`,
    // an exponent above 308 plus the digits after the point; an integer part over 309 digits).
    // Read a copy with every number masked as `0` once more, and take the numbers from the
    // payload. Rare, so the common path stays a single pass.
    copy_terminated(payload, text);
    mask_json_numbers({text, payload.size()});
    event = core::Event{};
    EventReader masked(limits, NumberTexts{.masked = text, .payload = payload}, event);
    return outcome(text, run_parser(text, masked, parse_allocator), masked);
  }
  return outcome(text, syntax, events);
}

}  // namespace segd::io
