#pragma once

#include <optional>
#include <string_view>

#include "core/common/time.h"
#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"

namespace segd::core {

/// Every feature of `state` evaluated at stream time `at` (at >= state.last_event_ms in normal
/// operation). Pure.
[[nodiscard]] FeatureVector compute_features(const CustomerState& state, TimestampMs at);

/// Share of the customer's decayed category interest that goes to `category`, in [0, 1];
/// 0 for an unknown category. Does not change as time passes (all scores decay alike).
[[nodiscard]] double affinity(const CustomerState& state, std::string_view category);

/// The earliest time after `now` at which a kStep feature changes value; nullopt when it never
/// will without new events.
[[nodiscard]] std::optional<int64_t> next_step_ms(const CustomerState& state,
                                                  FeatureId id,
                                                  TimestampMs now);

/// For a kIncreasing or kDecaying feature, the earliest time after `now` at which it crosses
/// `threshold` (the first millisecond at which a comparison with it can change); nullopt when it
/// never does.
[[nodiscard]] std::optional<int64_t> crossing_ms(const CustomerState& state,
                                                 FeatureId id,
                                                 double threshold,
                                                 TimestampMs now);

}  // namespace segd::core
