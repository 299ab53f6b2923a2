#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/models/model_snapshot.h"

namespace segd::io {

/// Serializes a model snapshot as the bytes RocksStore::put_model stores: a segd.v1.ModelSnapshot
/// (version, active_from_ms) whose payload is a segd.v1.ModelPayload (proto/segd/v1/models.proto,
/// format 1). Deterministic: equal snapshots give equal bytes. Precondition (CHECKed): every
/// centroid has the standardizer's dimension. Thread-safe.
[[nodiscard]] std::string encode_model_snapshot(const core::models::ModelSnapshot& snapshot);

/// Parses bytes written by encode_model_snapshot and validates the result (validate_snapshot).
/// Errors: `corrupt_state` (bad wire format, unknown payload format or time unit, centroid or
/// cut counts that do not fit the dimension) and `invalid_model` (see validate_snapshot).
/// Thread-safe.
[[nodiscard]] core::Result<core::models::ModelSnapshot> decode_model_snapshot(
    std::string_view bytes);

}  // namespace segd::io
