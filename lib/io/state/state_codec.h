#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/features/customer_state.h"
#include "core/segments/segment_change.h"

namespace segd::io {

/// Serializes a customer state as a segd.v1.CustomerState protobuf. Deterministic: equal states
/// give equal bytes, the same bytes protobuf's own serializer writes for the state. Writes the
/// wire format directly and allocates only the returned string. Thread-safe.
[[nodiscard]] std::string encode_customer(const core::CustomerState& state);

/// Ask the CPU to load what encode_customer() reads of `state` into its caches, without waiting
/// for it: the object itself, and the lists it points to (which reads the object: ask for that
/// a few states earlier). A batch's states were last touched when their events were processed;
/// asked for ahead of the one being encoded, their cache misses overlap the encoding instead of
/// stalling it. No effect on results.
void prefetch_state_object(const core::CustomerState& state);
void prefetch_state_lists(const core::CustomerState& state);

/// Parses bytes written by encode_customer. Errors: `corrupt_state` when the bytes are not a
/// valid CustomerState (bad wire format, or not exactly 4 counts and 12 decayed values).
/// Thread-safe.
[[nodiscard]] core::Result<core::CustomerState> decode_customer(std::string_view bytes);

/// Parses only the scalar fields of bytes written by encode_customer, skipping the lists (days,
/// sessions, categories, cart, dedup memory, segments), which stay empty: what a model refit
/// reads, at a fraction of decode_customer's cost. Every value decode_customer accepts decodes
/// here too, to the same fields; damage inside a list, which this does not read, is not seen.
/// Errors: `corrupt_state`. Thread-safe.
[[nodiscard]] core::Result<core::CustomerState> decode_customer_scalars(std::string_view bytes);

/// Serializes a segment change as a segd.v1.SegmentChange protobuf. Deterministic. Thread-safe.
[[nodiscard]] std::string encode_change(const core::SegmentChange& change);

/// Parses bytes written by encode_change. Errors: `corrupt_state` on a bad wire format or an
/// unknown change/cause enum value. Thread-safe.
[[nodiscard]] core::Result<core::SegmentChange> decode_change(std::string_view bytes);

/// A versioned model snapshot as stored in the `models` column family. `payload` is opaque here;
/// lib/core/models defines its format.
struct ModelRecord {
  int64_t version = 0;
  int64_t active_from_ms = 0;  ///< Stream time at which the version became active.
  std::string payload;
  /// Stream time of the state it was trained on (<= active_from_ms). Records written before the
  /// field existed read as active_from_ms.
  int64_t trained_as_of_ms = 0;

  bool operator==(const ModelRecord&) const = default;
};

/// Serializes a model snapshot as a segd.v1.ModelSnapshot protobuf. Deterministic. Thread-safe.
[[nodiscard]] std::string encode_model(const ModelRecord& model);

/// Parses bytes written by encode_model. Errors: `corrupt_state`. Thread-safe.
[[nodiscard]] core::Result<ModelRecord> decode_model(std::string_view bytes);

}  // namespace segd::io
