#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/events/event.h"
#include "io/codec/decode_limits.h"

namespace segd::io {

/// Decodes and validates one JSON event (the format in lib/io/codec/FORMATS.md).
/// Returns a fully validated core::Event or one machine-readable reason in Error::code:
/// `too_large` (payload above limits.max_payload_bytes, checked before parsing), `bad_json`
/// (syntax error, top level not an object), `bad_field:<name>` (wrong JSON type, duplicate key,
/// a number beyond the range of a double), `missing_field:<name>`, `unknown_type`,
/// `bad_timestamp`, then every reason of core::validate_event(). Numbers are read from their
/// text with std::from_chars, correctly rounded. Unknown fields are ignored; `null` counts as
/// absent. An erasure's
/// fields other than type, customer_id, ts and event_id are ignored wherever `type` stands.
/// Never throws; thread-safe (no shared state); allocates nothing on the heap for small events
/// beyond the Event's own strings.
[[nodiscard]] core::Result<core::Event> decode_json_event(std::string_view payload,
                                                          const DecodeLimits& limits = {});

/// decode_json_event() into `event`, which must be default-constructed: for a caller that keeps
/// its events in place (a move of an event copies each of its short strings). On an error
/// `event` holds whatever was read before it.
[[nodiscard]] core::Result<void> decode_json_event_into(std::string_view payload,
                                                        core::Event& event,
                                                        const DecodeLimits& limits = {});

/// decode_json_event()'s `too_large` error for a payload of `bytes` bytes (for a reader that
/// kept only the start of it).
[[nodiscard]] core::Error payload_too_large(size_t bytes, const DecodeLimits& limits = {});

/// Encodes an event as compact JSON, the inverse of decode_json_event() for valid events:
/// fixed field order, `ts` as RFC 3339, empty strings / price 0 / quantity 1 left out, `amount`
/// always written for purchases and refunds. Deterministic; thread-safe.
[[nodiscard]] std::string encode_json_event(const core::Event& event);

}  // namespace segd::io
