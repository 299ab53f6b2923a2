#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/result.h"
#include "core/events/event.h"
#include "core/events/validate.h"
#include "io/codec/decode_limits.h"

namespace segd::io {

/// One JSON value as the parser reports it: a scalar, or the start of an object or array.
struct JsonScalar {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };
  Kind kind = Kind::kNull;
  std::string_view text;  ///< kString: the decoded string; kNumber: the number as written
};

/// What the parse pass read from an event's top-level object beside the event's own fields, for
/// the cross-field checks (required fields, the type's name, the time).
struct JsonEventFields {
  std::optional<std::string_view> type;
  std::optional<JsonScalar> ts;  ///< a string or a number
  core::AmountField amount = core::AmountField::kAbsent;
};

/// How many bytes past a payload's copy read_json_event_fields() may read (the NUL and 15 more):
/// its string scans load 16 bytes at a time from wherever a string starts.
inline constexpr size_t kJsonTextPadding = 16;

/// Which parsers read_json_event_fields() uses. Both read every payload alike (the codec tests
/// compare them); the plain scan is the faster one, for the payloads it reads.
enum class JsonParsers : uint8_t {
  kPlainScanFirst,  ///< scan_plain_json(), then rapidjson for what it gives up on (the default)
  kRapidjsonOnly,
};

/// The parse pass of decode_json_event(): parses `payload` straight from the parser's callbacks
/// (no DOM), into `event` (default-constructed: it gets every field but the type and the time,
/// each checked for its JSON type and range as it arrived) and the result. A plain payload (no
/// escapes: json_plain_scan.h) is read where it is; any other is copied to `text` and parsed there
/// in place by rapidjson. `text` must be writable for payload.size() + kJsonTextPadding bytes:
/// the copy and its NUL, then the bytes the parser's SSE2 scans read past the NUL. Errors:
/// `bad_json` (syntax, nesting deeper than 64, top level not an object) before anything else, then
/// the first problem of a field in document order (`bad_field:<name>`, `too_large` for too many
/// items); for an erasure only the first problem of the fields every event has. After an error
/// `event` holds what was read. The views in the result point into `text` or `payload`, which must
/// outlive it. A leading UTF-8 byte order mark is skipped.
[[nodiscard]] core::Result<JsonEventFields> read_json_event_fields(
    std::string_view payload,
    char* text,
    const DecodeLimits& limits,
    core::Event& event,
    JsonParsers parsers = JsonParsers::kPlainScanFirst);

}  // namespace segd::io
