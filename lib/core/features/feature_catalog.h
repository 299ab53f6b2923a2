#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/check.h"
#include "core/events/event.h"

namespace segd::core {

/// Every feature a rule can read, in a fixed order (their slot numbers). The names are an
/// interface (rules, SegmentChange values, `segctl inspect`); see the README for exact meanings.
enum class FeatureId : uint8_t {
  kOrdersTotal,
  kMonetaryTotal,
  kAvgOrderValue,
  kFirstPurchaseAt,
  kLastPurchaseAt,
  kDaysSinceLastPurchase,
  kOrders7d,
  kOrders30d,
  kOrders90d,
  kOrders365d,
  kMonetary7d,
  kMonetary30d,
  kMonetary90d,
  kMonetary365d,
  kRefundsTotal,
  kRefundAmountTotal,
  kPageViewsTotal,
  kProductViewsTotal,
  kSearchesTotal,
  kCartAddsTotal,
  kPageViews1d,
  kPageViews7d,
  kPageViews30d,
  kProductViews1d,
  kProductViews7d,
  kProductViews30d,
  kSearches1d,
  kSearches7d,
  kSearches30d,
  kCartAdds1d,
  kCartAdds7d,
  kCartAdds30d,
  kSessionsTotal,
  kSessions30d,
  kAvgSessionMinutes,
  kCartOpen,
  kCartValue,
  kMinutesSinceLastCart,
  kDaysSinceFirstSeen,
  kX,
  kTx,
  kT,
  kCount,
};

inline constexpr size_t kFeatureCount = static_cast<size_t>(FeatureId::kCount);

/// How a feature changes while no event arrives, which decides how timers are scheduled.
enum class TimeBehaviour : uint8_t {
  kConstant,    ///< Changes only with events.
  kIncreasing,  ///< Grows linearly with stream time (days_since_*, minutes_since_*).
  kStep,        ///< Piecewise constant: trailing windows, and T (whole days).
  kDecaying,    ///< Decays exponentially toward zero.
};

/// Which way a value can move while only stream time passes (no event arrives).
enum class Trend : uint8_t {
  kFlat,  ///< It does not move.
  kUp,    ///< It never decreases: the clocks (days_since_*, minutes_since_*), T.
  kDown,  ///< It never increases: decayed counts, order and session counts in trailing windows.
  kAny,   ///< Either way: money in trailing windows (a refund's day leaving the window raises it).
};

/// A set of event types, bit `1 << EventType`.
using EventMask = uint16_t;

[[nodiscard]] constexpr EventMask event_bit(EventType type) {
  return static_cast<EventMask>(1U << static_cast<unsigned>(type));
}

struct FeatureInfo {
  std::string_view name;
  TimeBehaviour behaviour;
  Trend trend;
  /// The event types whose feature update (apply_event_features()) can change what the feature
  /// reads in the state, so its value at some time; the others leave it, as a function of time,
  /// bit for bit what it was. Incremental rule evaluation relies on it (RuleMemo): a type
  /// missing here makes rules miss changes, which
  /// FeaturesTest.AnEventChangesNoFeatureItsTypeIsNotListedFor and IncrementalRulesTest look for.
  EventMask changed_by;
};

/// Every feature's FeatureInfo, by FeatureId (feature_catalog.cc).
extern const std::array<FeatureInfo, kFeatureCount> kFeatureInfos;

/// Name, time behaviour and trend of a feature. Inline: the wake-up search asks for them about a
/// million times per 200k events.
[[nodiscard]] inline const FeatureInfo& feature_info(FeatureId id) {
  const auto index = static_cast<size_t>(id);
  CHECK(index < kFeatureCount);
  return kFeatureInfos[index];
}

/// The event types that can change the categories affinity() reads (as FeatureInfo::changed_by).
[[nodiscard]] EventMask affinity_changed_by();
/// The feature with that name, nullopt when there is none.
[[nodiscard]] std::optional<FeatureId> feature_by_name(std::string_view name);

/// Values of every feature at one evaluation time, indexed by FeatureId. Undefined values
/// (days_since_last_purchase of a customer who never bought) are NaN: comparisons with them are
/// false.
using FeatureVector = std::array<double, kFeatureCount>;

/// A set of features, by FeatureId index: the ones a caller needs computed.
using FeatureMask = std::bitset<kFeatureCount>;

}  // namespace segd::core
