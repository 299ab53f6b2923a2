#include "core/features/feature_values.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/common/check.h"

namespace segd::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kWindowDays[] = {7, 30, 90, 365};
constexpr int64_t kSessionWindowMs = 30 * kMsPerDay;

struct Windowed {
  double orders[4] = {};
  double monetary[4] = {};
};

// Day d counts in the N-day window ending at `today` when today - N < d <= today.
Windowed windows(const CustomerState& s, int64_t today) {
  Windowed w;
  for (const DayBucket& b : s.days) {
    if (b.day > today) {
      continue;
    }
    for (int i = 0; i < 4; ++i) {
      if (b.day > today - kWindowDays[i]) {
        w.orders[i] += b.orders;
        w.monetary[i] += b.monetary;
      }
    }
  }
  return w;
}

// 2^(-(at - ref)/h) for each half-life: shared by the four activity kinds.
std::array<double, kHalfLifeCount> decay_factors(const CustomerState& s, int64_t at) {
  const auto dt = static_cast<double>(std::max<int64_t>(0, at - s.activity_ref_ms));
  std::array<double, kHalfLifeCount> f{};
  for (int h = 0; h < kHalfLifeCount; ++h) {
    f[static_cast<size_t>(h)] =
        std::exp2(-dt / (static_cast<double>(kHalfLifeDays[h]) * static_cast<double>(kMsPerDay)));
  }
  return f;
}

double since(int64_t at, int64_t anchor, int64_t unit) {
  return static_cast<double>(at - anchor) / static_cast<double>(unit);
}

// The linear clock behind a kIncreasing feature: value(t) = (t - anchor) / unit.
struct Linear {
  int64_t anchor;
  int64_t unit;
};

std::optional<Linear> linear_of(const CustomerState& s, FeatureId id) {
  switch (id) {
    case FeatureId::kDaysSinceLastPurchase:
      return s.orders_total > 0 ? std::optional<Linear>({s.last_purchase_ms, kMsPerDay})
                                : std::nullopt;
    case FeatureId::kMinutesSinceLastCart:
      return s.last_cart_add_ms > 0 ? std::optional<Linear>({s.last_cart_add_ms, kMsPerMinute})
                                    : std::nullopt;
    case FeatureId::kDaysSinceFirstSeen:
      return std::optional<Linear>({s.first_event_ms, kMsPerDay});
    case FeatureId::kT:
      return s.orders_total > 0 ? std::optional<Linear>({s.first_purchase_ms, kMsPerDay})
                                : std::nullopt;
    default:
      return std::nullopt;
  }
}

void fill_activity(const CustomerState& s, int64_t at, FeatureVector& f) {
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  set(FeatureId::kPageViewsTotal, static_cast<double>(s.counts[0]));
  set(FeatureId::kProductViewsTotal, static_cast<double>(s.counts[1]));
  set(FeatureId::kSearchesTotal, static_cast<double>(s.counts[2]));
  set(FeatureId::kCartAddsTotal, static_cast<double>(s.counts[3]));
  const auto first = static_cast<size_t>(FeatureId::kPageViews1d);
  const auto factors = decay_factors(s, at);
  for (size_t k = 0; k < kActivityCount; ++k) {
    for (size_t h = 0; h < kHalfLifeCount; ++h) {
      f[first + k * kHalfLifeCount + h] = s.decayed[k][h] * factors[h];
    }
  }
}

void fill_purchases(const CustomerState& s, int64_t at, FeatureVector& f) {
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  const bool bought = s.orders_total > 0;
  set(FeatureId::kOrdersTotal, static_cast<double>(s.orders_total));
  set(FeatureId::kMonetaryTotal, s.monetary_total);
  set(FeatureId::kAvgOrderValue,
      bought ? s.monetary_total / static_cast<double>(s.orders_total) : 0.0);
  set(FeatureId::kFirstPurchaseAt, bought ? static_cast<double>(s.first_purchase_ms) : kNaN);
  set(FeatureId::kLastPurchaseAt, bought ? static_cast<double>(s.last_purchase_ms) : kNaN);
  set(FeatureId::kDaysSinceLastPurchase, bought ? since(at, s.last_purchase_ms, kMsPerDay) : kNaN);
  const Windowed w = windows(s, day_of(TimestampMs{at}));
  const auto orders0 = static_cast<size_t>(FeatureId::kOrders7d);
  const auto money0 = static_cast<size_t>(FeatureId::kMonetary7d);
  for (size_t i = 0; i < 4; ++i) {
    f[orders0 + i] = w.orders[i];
    f[money0 + i] = w.monetary[i];
  }
  set(FeatureId::kRefundsTotal, static_cast<double>(s.refunds_total));
  set(FeatureId::kRefundAmountTotal, s.refund_amount_total);
  const int64_t first_day = day_of(TimestampMs{s.first_purchase_ms});
  set(FeatureId::kX, bought ? static_cast<double>(s.purchase_days - 1) : 0.0);
  set(FeatureId::kTx,
      bought ? static_cast<double>(day_of(TimestampMs{s.last_purchase_ms}) - first_day) : 0.0);
  set(FeatureId::kT, bought ? static_cast<double>(day_of(TimestampMs{at}) - first_day) : 0.0);
}

}  // namespace

FeatureVector compute_features(const CustomerState& s, TimestampMs at_ts) {
  const int64_t at = at_ts.value();
  FeatureVector f{};
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  fill_purchases(s, at, f);
  fill_activity(s, at, f);
  set(FeatureId::kSessionsTotal, static_cast<double>(s.sessions_total));
  double recent = 0;
  for (const Session& x : s.sessions) {
    recent += x.end_ms > at - kSessionWindowMs ? 1 : 0;
  }
  set(FeatureId::kSessions30d, recent);
  set(FeatureId::kAvgSessionMinutes, s.sessions_total > 0
                                         ? static_cast<double>(s.session_ms_total) /
                                               static_cast<double>(s.sessions_total) / kMsPerMinute
                                         : 0.0);
  double open = 0;
  double value = 0;
  for (const CartLine& l : s.cart) {
    open += static_cast<double>(l.quantity);
    value += static_cast<double>(l.quantity) * l.price;
  }
  set(FeatureId::kCartOpen, open);
  set(FeatureId::kCartValue, value);
  set(FeatureId::kMinutesSinceLastCart,
      s.last_cart_add_ms > 0 ? since(at, s.last_cart_add_ms, kMsPerMinute) : kNaN);
  set(FeatureId::kDaysSinceFirstSeen, since(at, s.first_event_ms, kMsPerDay));
  return f;
}

double affinity(const CustomerState& s, std::string_view category) {
  double total = 0;
  double mine = 0;
  for (const CategoryScore& c : s.categories) {
    total += c.score;
    if (c.category == category) {
      mine = c.score;
    }
  }
  return total > 0 ? mine / total : 0.0;
}

std::optional<int64_t> next_step_ms(const CustomerState& s, FeatureId id, TimestampMs now_ts) {
  const int64_t now = now_ts.value();
  std::optional<int64_t> best;
  auto consider = [&best, now](int64_t t) {
    if (t > now && (!best || t < *best)) {
      best = t;
    }
  };
  const auto index = static_cast<size_t>(id);
  if (id >= FeatureId::kOrders7d && id <= FeatureId::kMonetary365d) {
    const int days = kWindowDays[(index - static_cast<size_t>(FeatureId::kOrders7d)) % 4];
    for (const DayBucket& b : s.days) {
      consider((b.day + days) * kMsPerDay);
    }
  } else if (id == FeatureId::kSessions30d) {
    for (const Session& x : s.sessions) {
      consider(x.end_ms + kSessionWindowMs);
    }
  } else if (id == FeatureId::kT && s.orders_total > 0) {
    consider((day_of(now_ts) + 1) * kMsPerDay);
  }
  return best;
}

std::optional<int64_t> crossing_ms(const CustomerState& s,
                                   FeatureId id,
                                   double threshold,
                                   TimestampMs now_ts) {
  const int64_t now = now_ts.value();
  double t_star = 0;
  if (feature_info(id).behaviour == TimeBehaviour::kDecaying) {
    const auto k = (static_cast<size_t>(id) - static_cast<size_t>(FeatureId::kPageViews1d));
    const size_t kind = k / kHalfLifeCount;
    const int h = static_cast<int>(k % kHalfLifeCount);
    const double v = s.decayed[kind][h];
    if (!(threshold > 0) || !(v > threshold)) {
      return std::nullopt;  // Already at or below the threshold: decay never crosses it again.
    }
    const double hl = static_cast<double>(kHalfLifeDays[h]) * static_cast<double>(kMsPerDay);
    t_star = static_cast<double>(s.activity_ref_ms) + hl * std::log2(v / threshold);
  } else {
    const auto lin = linear_of(s, id);
    if (!lin) {
      return std::nullopt;
    }
    t_star = static_cast<double>(lin->anchor) + threshold * static_cast<double>(lin->unit);
  }
  if (!std::isfinite(t_star) || t_star > 4.0e15) {
    return std::nullopt;
  }
  // A comparison with the feature can change at t* (>=, <=) or just after it (>, <). Wake at t*
  // or, when rounding left the comparison unchanged at t*, one millisecond later; an early
  // wake-up only re-evaluates and reschedules.
  if (t_star + 2.0 < static_cast<double>(now)) {
    return std::nullopt;
  }
  return std::max(static_cast<int64_t>(std::ceil(t_star)), now + 1);
}

}  // namespace segd::core
