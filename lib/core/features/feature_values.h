#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "core/common/time.h"
#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"

namespace segd::core {

/// Every feature of `state` evaluated at stream time `at` (at >= state.last_event_ms in normal
/// operation). Pure.
[[nodiscard]] FeatureVector compute_features(const CustomerState& state, TimestampMs at);

/// The features in `needed`, bit for bit as compute_features() has them; the costlier groups
/// (windows, decayed counts, sessions, cart) are skipped when none of theirs is needed, and the
/// features they hold are then NaN.
[[nodiscard]] FeatureVector compute_features(const CustomerState& state,
                                             TimestampMs at,
                                             const FeatureMask& needed);

/// Share of the customer's decayed category interest that goes to `category`, in [0, 1];
/// 0 for an unknown category. Does not change as time passes (all scores decay alike).
[[nodiscard]] double affinity(const CustomerState& state, std::string_view category);

/// The earliest time after `now` at which a kStep feature changes value; nullopt when it never
/// will without new events.
[[nodiscard]] std::optional<int64_t> next_step_ms(const CustomerState& state,
                                                  FeatureId id,
                                                  TimestampMs now);

/// Whether stream time alone can still change feature `id` of `state` after `now`: not for
/// kConstant features, undefined clocks (days_since_last_purchase of a customer who never bought,
/// minutes_since_last_cart of one who never added to a cart: NaN for good), decayed counts at 0,
/// or windows with nothing left to expire.
[[nodiscard]] bool moves_with_time(const CustomerState& state, FeatureId id, TimestampMs now);

/// The value of one feature at `at`, bit for bit what compute_features() gives, computed on its
/// own for the time-varying ones (linear clocks, decayed counts, the order and money windows).
[[nodiscard]] double timed_value(const CustomerState& state, FeatureId id, TimestampMs at);

/// When stream time alone next changes a comparison of feature `id` with a constant: the first
/// millisecond after `now` at which `holds(value)` differs from `holds(value at now)`, where
/// `holds` compares the value with `threshold`. Exact for the monotone (kIncreasing, kDecaying)
/// features, found on the values themselves (a decayed count reaches 0 where it underflows); for
/// kStep ones, the first step that changes it, or the 32nd step when none of the next 32 does (an
/// early wake-up, which only re-evaluates). nullopt when it never changes. `anchored`, when
/// given, is set to whether the answer follows from the state alone (false for that 32nd step,
/// which counts from `now`).
[[nodiscard]] std::optional<int64_t> comparison_change_ms(const CustomerState& state,
                                                          FeatureId id,
                                                          const std::function<bool(double)>& holds,
                                                          double threshold,
                                                          TimestampMs now,
                                                          bool* anchored = nullptr);

}  // namespace segd::core
