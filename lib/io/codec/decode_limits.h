#pragma once

#include <cstddef>

#include "core/events/validate.h"

namespace segd::io {

/// Bounds for the event decoders (JSON and protobuf).
struct DecodeLimits {
  /// Largest accepted payload, checked before parsing. Default: 64 KiB.
  size_t max_payload_bytes = size_t{64} * 1024;
  /// Semantic bounds, passed on to core::validate_event(). Default: ValidationLimits{}.
  core::ValidationLimits validation;
};

/// Longest `message` a dead letter keeps (on the dead-letter topic, in replay's --dead-letter
/// file): the text may quote the offending input at any length.
inline constexpr size_t kDeadLetterMessageBytes = 1024;

}  // namespace segd::io
