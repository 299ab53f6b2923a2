#include "core/features/feature_values.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>

#include "core/common/check.h"
#include "core/features/money.h"

namespace segd::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<int, 4> kWindowDays = {7, 30, 90, 365};
constexpr int64_t kSessionWindowMs = 30 * kMsPerDay;

struct Windowed {
  std::array<double, 4> orders{};
  std::array<double, 4> monetary{};
};

// The first of the customer's sessions (sorted by end) that ends after `t`.
std::vector<Session>::const_iterator sessions_ending_after(const CustomerState& s, int64_t t) {
  return std::partition_point(s.sessions.begin(), s.sessions.end(),
                              [t](const Session& x) { return x.end_ms <= t; });
}

// Day d counts in the N-day window ending at `today` when today - N < d <= today.
bool in_window(int64_t day, int64_t today, int days) { return day <= today && day > today - days; }

Windowed windows(const CustomerState& s, int64_t today) {
  Windowed w;
  for (const DayBucket& b : s.days) {
    for (int i = 0; i < 4; ++i) {
      if (in_window(b.day, today, kWindowDays[i])) {
        w.orders[i] += b.orders;
        w.monetary[i] += b.monetary;
      }
    }
  }
  for (double& m : w.monetary) {
    m = on_money_grid(m);
  }
  return w;
}

// The factor by which decayed counts of half-life index `h` shrink from activity_ref_ms to `at`.
double decay_factor(const CustomerState& s, int h, int64_t at) {
  const auto dt = static_cast<double>(std::max<int64_t>(0, at - s.activity_ref_ms));
  return std::exp2(-dt / (static_cast<double>(kHalfLifeDays[h]) * static_cast<double>(kMsPerDay)));
}

// Where a decayed-count feature lives in CustomerState::decayed: [kind][half-life index].
struct DecayedSlot {
  size_t kind;
  int h;
};

DecayedSlot decayed_slot(FeatureId id) {
  const auto k = static_cast<size_t>(id) - static_cast<size_t>(FeatureId::kPageViews1d);
  return {k / kHalfLifeCount, static_cast<int>(k % kHalfLifeCount)};
}

double since(int64_t at, int64_t anchor, int64_t unit) {
  return static_cast<double>(at - anchor) / static_cast<double>(unit);
}

// The linear clock behind a kIncreasing feature: value(t) = (t - anchor) / unit.
struct Linear {
  int64_t anchor;
  int64_t unit;
};

// last_cart_add_ms holds a time only once the customer added to a cart (0 is a valid time).
bool ever_added_to_cart(const CustomerState& s) {
  return s.counts[static_cast<int>(Activity::kCartAdd)] > 0;
}

std::optional<Linear> linear_of(const CustomerState& s, FeatureId id) {
  switch (id) {
    case FeatureId::kDaysSinceLastPurchase:
      return s.orders_total > 0 ? std::optional<Linear>({s.last_purchase_ms, kMsPerDay})
                                : std::nullopt;
    case FeatureId::kMinutesSinceLastCart:
      return ever_added_to_cart(s) ? std::optional<Linear>({s.last_cart_add_ms, kMsPerMinute})
                                   : std::nullopt;
    case FeatureId::kDaysSinceFirstSeen:
      return std::optional<Linear>({s.first_event_ms, kMsPerDay});
    default:
      return std::nullopt;
  }
}

// Whether `needed` holds any of the `count` features from `first` on.
bool any_needed(const FeatureMask& needed, FeatureId first, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (needed[static_cast<size_t>(first) + i]) {
      return true;
    }
  }
  return false;
}

void fill_activity(const CustomerState& s,
                   int64_t at,
                   const FeatureMask& needed,
                   FeatureVector& f) {
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  set(FeatureId::kPageViewsTotal, static_cast<double>(s.counts[0]));
  set(FeatureId::kProductViewsTotal, static_cast<double>(s.counts[1]));
  set(FeatureId::kSearchesTotal, static_cast<double>(s.counts[2]));
  set(FeatureId::kCartAddsTotal, static_cast<double>(s.counts[3]));
  const auto first = static_cast<size_t>(FeatureId::kPageViews1d);
  for (size_t h = 0; h < kHalfLifeCount; ++h) {
    bool wanted = false;
    for (size_t k = 0; k < kActivityCount; ++k) {
      wanted = wanted || needed[first + k * kHalfLifeCount + h];
    }
    const double factor = wanted ? decay_factor(s, static_cast<int>(h), at) : kNaN;
    for (size_t k = 0; k < kActivityCount; ++k) {
      f[first + k * kHalfLifeCount + h] = s.decayed[k][h] * factor;
    }
  }
}

void fill_purchases(const CustomerState& s,
                    int64_t at,
                    const FeatureMask& needed,
                    FeatureVector& f) {
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  const bool bought = s.orders_total > 0;
  set(FeatureId::kOrdersTotal, static_cast<double>(s.orders_total));
  set(FeatureId::kMonetaryTotal, s.monetary_total);
  set(FeatureId::kAvgOrderValue,
      bought ? s.monetary_total / static_cast<double>(s.orders_total) : 0.0);
  set(FeatureId::kFirstPurchaseAt, bought ? static_cast<double>(s.first_purchase_ms) : kNaN);
  set(FeatureId::kLastPurchaseAt, bought ? static_cast<double>(s.last_purchase_ms) : kNaN);
  set(FeatureId::kDaysSinceLastPurchase, bought ? since(at, s.last_purchase_ms, kMsPerDay) : kNaN);
  const auto orders0 = static_cast<size_t>(FeatureId::kOrders7d);
  const auto money0 = static_cast<size_t>(FeatureId::kMonetary7d);
  if (any_needed(needed, FeatureId::kOrders7d, 8)) {
    const Windowed w = windows(s, day_of(TimestampMs{at}));
    for (size_t i = 0; i < 4; ++i) {
      f[orders0 + i] = w.orders[i];
      f[money0 + i] = w.monetary[i];
    }
  } else {
    std::fill_n(f.begin() + static_cast<std::ptrdiff_t>(orders0), 8, kNaN);
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

FeatureVector compute_features(const CustomerState& s, TimestampMs at) {
  return compute_features(s, at, FeatureMask().set());
}

FeatureVector compute_features(const CustomerState& s,
                               TimestampMs at_ts,
                               const FeatureMask& needed) {
  const int64_t at = at_ts.value();
  FeatureVector f{};
  auto set = [&f](FeatureId id, double v) { f[static_cast<size_t>(id)] = v; };
  fill_purchases(s, at, needed, f);
  fill_activity(s, at, needed, f);
  set(FeatureId::kSessionsTotal, static_cast<double>(s.sessions_total));
  double recent = kNaN;
  if (needed[static_cast<size_t>(FeatureId::kSessions30d)]) {
    recent =
        static_cast<double>(s.sessions.end() - sessions_ending_after(s, at - kSessionWindowMs));
  }
  set(FeatureId::kSessions30d, recent);
  set(FeatureId::kAvgSessionMinutes, s.sessions_total > 0
                                         ? static_cast<double>(s.session_ms_total) /
                                               static_cast<double>(s.sessions_total) / kMsPerMinute
                                         : 0.0);
  double open = kNaN;
  double value = kNaN;
  if (needed[static_cast<size_t>(FeatureId::kCartOpen)] ||
      needed[static_cast<size_t>(FeatureId::kCartValue)]) {
    open = 0;
    value = 0;
    for (const CartLine& l : s.cart) {
      open += static_cast<double>(l.quantity);
      value = on_money_grid(value + l.value());
    }
  }
  set(FeatureId::kCartOpen, open);
  set(FeatureId::kCartValue, value);
  set(FeatureId::kMinutesSinceLastCart,
      ever_added_to_cart(s) ? since(at, s.last_cart_add_ms, kMsPerMinute) : kNaN);
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
    // The first session to leave the window after `now` (ends are sorted).
    if (const auto first = sessions_ending_after(s, now - kSessionWindowMs);
        first != s.sessions.end()) {
      consider(first->end_ms + kSessionWindowMs);
    }
  } else if (id == FeatureId::kT && s.orders_total > 0) {
    consider((day_of(now_ts) + 1) * kMsPerDay);
  }
  return best;
}

double timed_value(const CustomerState& s, FeatureId id, TimestampMs at) {
  switch (feature_info(id).behaviour) {
    case TimeBehaviour::kDecaying: {
      const DecayedSlot d = decayed_slot(id);
      return s.decayed[d.kind][d.h] * decay_factor(s, d.h, at.value());
    }
    case TimeBehaviour::kIncreasing:
      if (const std::optional<Linear> lin = linear_of(s, id)) {
        return since(at.value(), lin->anchor, lin->unit);
      }
      return kNaN;
    case TimeBehaviour::kStep:
      if (id >= FeatureId::kOrders7d && id <= FeatureId::kMonetary365d) {
        // One window of windows(): the same buckets added in the same order, so the same bits.
        const auto index = static_cast<size_t>(id) - static_cast<size_t>(FeatureId::kOrders7d);
        const bool orders = index < 4;
        const int64_t today = day_of(at);
        double sum = 0;
        for (const DayBucket& b : s.days) {
          if (in_window(b.day, today, kWindowDays[index % 4])) {
            sum += orders ? b.orders : b.monetary;
          }
        }
        return orders ? sum : on_money_grid(sum);
      }
      break;
    case TimeBehaviour::kConstant:
      break;
  }
  FeatureMask just_this;
  just_this.set(static_cast<size_t>(id));
  return compute_features(s, at, just_this)[static_cast<size_t>(id)];
}

bool moves_with_time(const CustomerState& s, FeatureId id, TimestampMs now) {
  switch (feature_info(id).behaviour) {
    case TimeBehaviour::kConstant:
      return false;
    case TimeBehaviour::kStep:
      return next_step_ms(s, id, now).has_value();
    case TimeBehaviour::kIncreasing:
      return linear_of(s, id).has_value();
    case TimeBehaviour::kDecaying:
      return timed_value(s, id, now) != 0;  // Decays toward 0, and once there stays.
  }
  return false;
}

namespace {

// Past any stream time: a crossing later than this is never.
constexpr int64_t kBeyondAnyStreamMs = 4'000'000'000'000'000;

// A decayed count of half-life index `h` is exactly 0 from this time on: exp2() of anything below
// -1075 underflows to 0 (2^-1075 is half the least subnormal double, and rounds to even).
int64_t decayed_to_zero_ms(const CustomerState& s, int h) {
  return s.activity_ref_ms + 1076 * static_cast<int64_t>(kHalfLifeDays[h]) * kMsPerDay;
}

// Where a monotone feature crosses `threshold`, solved in doubles, and the time by which it has
// if it ever does; nullopt for an undefined clock.
struct CrossingEstimate {
  double at_ms = 0;
  int64_t last_ms = kBeyondAnyStreamMs;
};

std::optional<CrossingEstimate> estimate_crossing(const CustomerState& s,
                                                  FeatureId id,
                                                  double threshold) {
  if (feature_info(id).behaviour == TimeBehaviour::kDecaying) {
    const DecayedSlot d = decayed_slot(id);
    const int64_t zero_ms = decayed_to_zero_ms(s, d.h);
    const double at = static_cast<double>(s.activity_ref_ms) +
                      static_cast<double>(kHalfLifeDays[d.h]) * static_cast<double>(kMsPerDay) *
                          std::log2(s.decayed[d.kind][d.h] / threshold);
    // log2(x / 0) is infinite, yet the count reaches 0 where exp2() underflows; and below the
    // least normal double the values are too coarse for `at` to be close.
    return CrossingEstimate{at < static_cast<double>(zero_ms) ? at : static_cast<double>(zero_ms),
                            zero_ms};
  }
  if (const std::optional<Linear> lin = linear_of(s, id)) {
    return CrossingEstimate{static_cast<double>(lin->anchor) +
                            threshold * static_cast<double>(lin->unit)};
  }
  return std::nullopt;
}

// The first millisecond after `now` at which `done` (false at `now`, monotone in time) holds:
// bracketed from `estimate.at_ms` in doubling steps (one each way when the estimate is right),
// then bisected. nullopt when it does not hold by `estimate.last_ms`.
template <typename Done>
std::optional<int64_t> first_done_ms(const Done& done, int64_t now, CrossingEstimate estimate) {
  if (!(estimate.at_ms <= static_cast<double>(kBeyondAnyStreamMs))) {
    return std::nullopt;  // Beyond any stream, or a NaN threshold.
  }
  int64_t lo = now;
  int64_t hi =
      static_cast<int64_t>(std::ceil(std::max(estimate.at_ms, static_cast<double>(now + 1))));
  if (done(hi)) {
    for (int64_t step = 1; hi - step > lo; step *= 2) {
      if (!done(hi - step)) {
        lo = hi - step;
        break;
      }
      hi -= step;
    }
  } else {
    for (int64_t step = 1; !done(hi); step *= 2) {
      if (hi >= estimate.last_ms) {
        return std::nullopt;  // A decayed count at 0, or past any stream: never.
      }
      lo = hi;
      hi = std::min(hi + step, estimate.last_ms);
    }
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (done(mid)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

// For a monotone feature (linear clocks rise, decayed counts fall) whose value at `now` is
// `value_now`, the first millisecond after `now` at which it reaches `threshold` (`pass` false)
// or is strictly beyond it (`pass` true); nullopt when it already is, or never will be.
std::optional<int64_t> monotone_crossing_ms(const CustomerState& s,
                                            FeatureId id,
                                            double threshold,
                                            bool pass,
                                            int64_t now,
                                            double value_now) {
  const bool decaying = feature_info(id).behaviour == TimeBehaviour::kDecaying;
  // Signed distance still to travel: > 0 before the threshold, 0 at it, < 0 beyond it.
  auto reached = [&](double v) {
    const double ahead = decaying ? v - threshold : threshold - v;
    return pass ? ahead < 0 : ahead <= 0;
  };
  if (reached(value_now)) {
    return std::nullopt;
  }
  auto done = [&](int64_t t) { return reached(timed_value(s, id, TimestampMs{t})); };
  const std::optional<CrossingEstimate> estimate = estimate_crossing(s, id, threshold);
  return estimate ? first_done_ms(done, now, *estimate) : std::nullopt;
}

constexpr int kMaxSteps = 32;

}  // namespace

std::optional<int64_t> comparison_change_ms(const CustomerState& s,
                                            FeatureId id,
                                            const std::function<bool(double)>& holds,
                                            double threshold,
                                            TimestampMs now_ts,
                                            bool* anchored) {
  const int64_t now = now_ts.value();
  const double value_now = timed_value(s, id, now_ts);
  const bool before = holds(value_now);
  auto changed = [&](int64_t t) { return holds(timed_value(s, id, TimestampMs{t})) != before; };
  switch (feature_info(id).behaviour) {
    case TimeBehaviour::kConstant:
      return std::nullopt;
    case TimeBehaviour::kStep: {
      int64_t t = now;
      for (int i = 0; i < kMaxSteps; ++i) {
        const std::optional<int64_t> next = next_step_ms(s, id, TimestampMs{t});
        if (!next) {
          return std::nullopt;
        }
        t = *next;
        if (changed(t)) {
          return t;
        }
      }
      if (anchored != nullptr) {
        *anchored = false;
      }
      return t;  // Still unchanged after many steps: wake there and look again.
    }
    case TimeBehaviour::kIncreasing:
    case TimeBehaviour::kDecaying:
      // A monotone value can change a comparison with a constant only where it reaches the
      // constant or where it leaves it behind.
      for (const bool pass : {false, true}) {
        const std::optional<int64_t> t =
            monotone_crossing_ms(s, id, threshold, pass, now, value_now);
        if (t && changed(*t)) {
          return t;
        }
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace segd::core
