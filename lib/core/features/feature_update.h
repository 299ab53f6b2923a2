#pragma once

#include "core/events/event.h"
#include "core/features/customer_state.h"

namespace segd::core {

/// Whether an event was new or a re-delivery already applied.
enum class Novelty : uint8_t { kNew, kDuplicate };

/// Checks the customer's bounded dedup memory: purchases by order_id, other events by event_id
/// (events without an id are always new). Records the id when new. Pure apart from `state`.
[[nodiscard]] Novelty remember_event(CustomerState& state, const Event& event);

/// Folds one validated, non-duplicate event into the customer's features. Correct for
/// out-of-order events (see the README for each feature). `state.customer_id` must be set.
void apply_event_features(CustomerState& state, const Event& event);

/// FNV-1a 64-bit hash: the dedup memory's stable id fingerprint.
[[nodiscard]] uint64_t fingerprint(std::string_view text);

}  // namespace segd::core
