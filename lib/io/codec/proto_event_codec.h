#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/events/event.h"
#include "io/codec/decode_limits.h"

namespace segd::io {

/// Decodes and validates one serialized segd.v1.Event (proto/segd/v1/events.proto).
/// Reasons: `too_large` (payload above limits.max_payload_bytes), `bad_protobuf` (bytes that do
/// not parse, including invalid UTF-8 in a string field), `missing_field:type`,
/// `missing_field:ts` (ts_ms unset or 0), `unknown_type`, then every reason of
/// core::validate_event(). Absent `quantity` means 1; absent `amount` on a purchase is derived
/// from the items. Never throws; thread-safe.
[[nodiscard]] core::Result<core::Event> decode_proto_event(std::string_view payload,
                                                           const DecodeLimits& limits = {});

/// Serializes an event as segd.v1.Event; decode_proto_event() of the result gives the event
/// back for any valid event. Deterministic (fields in number order); thread-safe.
[[nodiscard]] std::string encode_proto_event(const core::Event& event);

}  // namespace segd::io
