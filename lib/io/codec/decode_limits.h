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

}  // namespace segd::io
