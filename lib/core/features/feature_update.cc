#include "core/features/feature_update.h"

#include <algorithm>
#include <cmath>

#include "core/common/check.h"
#include "core/features/money.h"

namespace segd::core {
namespace {

constexpr int64_t kAffinityHalfLifeMs = 30 * kMsPerDay;
constexpr double kAffinityViewWeight = 1.0;
constexpr double kAffinityCartWeight = 3.0;
constexpr double kAffinityPurchaseWeight = 5.0;

// 2^(-dt/h): how much of a decayed count is left after dt.
double decay(int64_t dt_ms, int64_t half_life_ms) {
  return std::exp2(-static_cast<double>(dt_ms) / static_cast<double>(half_life_ms));
}

bool remember(std::vector<uint64_t>& ring, size_t capacity, uint64_t hash) {
  if (std::find(ring.begin(), ring.end(), hash) != ring.end()) {
    return false;
  }
  if (ring.size() >= capacity) {
    ring.erase(ring.begin());
  }
  ring.push_back(hash);
  return true;
}

DayBucket* bucket_for(CustomerState& s, int64_t day) {
  auto it = std::lower_bound(s.days.begin(), s.days.end(), day,
                             [](const DayBucket& b, int64_t d) { return b.day < d; });
  if (it == s.days.end() || it->day != day) {
    it = s.days.insert(it, DayBucket{.day = day});
  }
  return &*it;
}

// Windows are evaluated at or after last_event_ms, so a day up to this one, out of the longest
// (365-day) window relative to it, can never count again: no bucket is kept for it.
int64_t last_dropped_day(const CustomerState& s) {
  return day_of(TimestampMs{s.last_event_ms}) - 365;
}

// The bucket of `day`, made when missing; nullptr for a day no longer kept.
DayBucket* kept_bucket(CustomerState& s, int64_t day) {
  return day > last_dropped_day(s) ? bucket_for(s, day) : nullptr;
}

void prune_days(CustomerState& s) {
  const int64_t dropped = last_dropped_day(s);
  auto keep = std::find_if(s.days.begin(), s.days.end(),
                           [dropped](const DayBucket& b) { return b.day > dropped; });
  s.days.erase(s.days.begin(), keep);
  if (s.days.size() > kMaxDayBuckets) {
    s.days.erase(s.days.begin(), s.days.end() - static_cast<ptrdiff_t>(kMaxDayBuckets));
  }
}

// Whether a purchase on `day` makes a new purchase day. Days older than the kept buckets are
// checked against the first and the last purchase's days, the only old ones known.
bool new_purchase_day(const CustomerState& s, int64_t day, const DayBucket* bucket) {
  if (s.orders_total == 0) {
    return true;
  }
  if (bucket != nullptr) {
    return bucket->orders == 0;
  }
  return day != day_of(TimestampMs{s.first_purchase_ms}) &&
         day != day_of(TimestampMs{s.last_purchase_ms});
}

void add_purchase(CustomerState& s, const Event& e) {
  const int64_t ts = e.ts.value();
  // Amounts count rounded to the grid before they are added: a sum that rounded only itself
  // would depend on the order of amounts with more than six decimals.
  const double amount = on_money_grid(e.amount);
  const int64_t day = day_of(e.ts);
  DayBucket* b = kept_bucket(s, day);
  if (new_purchase_day(s, day, b)) {
    s.purchase_days += 1;
  }
  if (s.orders_total == 0) {
    s.first_purchase_ms = ts;
    s.last_purchase_ms = ts;
  }
  s.first_purchase_ms = std::min(s.first_purchase_ms, ts);
  s.last_purchase_ms = std::max(s.last_purchase_ms, ts);
  s.orders_total += 1;
  s.monetary_total = on_money_grid(s.monetary_total + amount);
  if (b != nullptr) {
    b->orders += 1;
    b->monetary = on_money_grid(b->monetary + amount);
  }
  // A purchase empties the cart lines added before it.
  std::erase_if(s.cart, [ts](const CartLine& l) { return l.ts_ms <= ts; });
}

void add_refund(CustomerState& s, const Event& e) {
  const double amount = on_money_grid(e.amount);  // As a purchase's.
  s.refunds_total += 1;
  s.refund_amount_total = on_money_grid(s.refund_amount_total + amount);
  s.monetary_total = on_money_grid(s.monetary_total - amount);
  if (DayBucket* b = kept_bucket(s, day_of(e.ts))) {
    b->monetary = on_money_grid(b->monetary - amount);
  }
}

void add_activity(CustomerState& s, Activity kind, int64_t ts) {
  const auto k = static_cast<size_t>(kind);
  s.counts[k] += 1;
  if (ts >= s.activity_ref_ms) {
    for (int h = 0; h < kHalfLifeCount; ++h) {
      const double f = decay(ts - s.activity_ref_ms, kHalfLifeDays[h] * kMsPerDay);
      for (auto& row : s.decayed) {
        row[h] *= f;
      }
    }
    s.activity_ref_ms = ts;
    for (int h = 0; h < kHalfLifeCount; ++h) {
      s.decayed[k][h] += 1.0;
    }
  } else {
    for (int h = 0; h < kHalfLifeCount; ++h) {
      s.decayed[k][h] += decay(s.activity_ref_ms - ts, kHalfLifeDays[h] * kMsPerDay);
    }
  }
}

void add_session_event(CustomerState& s, int64_t ts) {
  // Sessions are disjoint and sorted by start, so by end too: the first one that ends late
  // enough to take `ts` is the only candidate.
  auto it = std::partition_point(s.sessions.begin(), s.sessions.end(),
                                 [ts](const Session& x) { return x.end_ms + kSessionGapMs < ts; });
  if (it == s.sessions.end() || it->start_ms - kSessionGapMs > ts) {
    s.sessions.insert(it, Session{ts, ts});
    s.sessions_total += 1;
  } else {
    const int64_t before = it->end_ms - it->start_ms;
    it->start_ms = std::min(it->start_ms, ts);
    it->end_ms = std::max(it->end_ms, ts);
    s.session_ms_total += (it->end_ms - it->start_ms) - before;
    // Extending a session can close the gap to the next one: merge them.
    auto next = it + 1;
    while (next != s.sessions.end() && next->start_ms - kSessionGapMs <= it->end_ms) {
      const int64_t parts = (it->end_ms - it->start_ms) + (next->end_ms - next->start_ms);
      it->end_ms = std::max(it->end_ms, next->end_ms);
      s.session_ms_total += (it->end_ms - it->start_ms) - parts;
      s.sessions_total -= 1;
      next = s.sessions.erase(next);
    }
  }
  const int64_t horizon = s.last_event_ms - kSessionRetentionMs;
  s.sessions.erase(s.sessions.begin(), std::partition_point(s.sessions.begin(), s.sessions.end(),
                                                            [horizon](const Session& x) {
                                                              return x.end_ms < horizon;
                                                            }));
  if (s.sessions.size() > kMaxSessions) {  // Only a state stored by another program can.
    s.sessions.erase(s.sessions.begin(), s.sessions.end() - static_cast<ptrdiff_t>(kMaxSessions));
  }
}

void add_affinity(CustomerState& s, std::string_view category, double weight, int64_t ts) {
  if (category.empty()) {
    return;
  }
  if (ts >= s.affinity_ref_ms) {
    const double f = decay(ts - s.affinity_ref_ms, kAffinityHalfLifeMs);
    for (auto& c : s.categories) {
      c.score *= f;
    }
    s.affinity_ref_ms = ts;
  } else {
    weight *= decay(s.affinity_ref_ms - ts, kAffinityHalfLifeMs);
  }
  auto it =
      std::lower_bound(s.categories.begin(), s.categories.end(), category,
                       [](const CategoryScore& c, std::string_view n) { return c.category < n; });
  if (it != s.categories.end() && it->category == category) {
    it->score += weight;
    return;
  }
  if (s.categories.size() >= kMaxCategories) {
    // Evict the weakest category (ties: the greatest name) if the newcomer beats it.
    auto weakest =
        std::min_element(s.categories.begin(), s.categories.end(),
                         [](const CategoryScore& a, const CategoryScore& b) {
                           return a.score != b.score ? a.score < b.score : a.category > b.category;
                         });
    if (weakest->score >= weight) {
      return;
    }
    s.categories.erase(weakest);
    it =
        std::lower_bound(s.categories.begin(), s.categories.end(), category,
                         [](const CategoryScore& c, std::string_view n) { return c.category < n; });
  }
  s.categories.insert(it, CategoryScore{std::string(category), weight});
}

// Keeps the cart within kMaxCartLines without losing items: the two oldest lines become one
// holding both quantities at their mean price (cart_open and cart_value stay what they were), at
// the later line's time, under their product id if they share it and under none otherwise, so a
// removal then finds those items only if they were of its product.
void merge_oldest_cart_lines(std::vector<CartLine>& cart) {
  CartLine& first = cart[0];
  const CartLine& second = cart[1];
  const int64_t quantity = first.quantity + second.quantity;
  const double value = on_money_grid(first.value() + second.value());
  first.price = value / static_cast<double>(quantity);
  first.quantity = quantity;
  first.ts_ms = second.ts_ms;
  if (first.product_id != second.product_id) {
    first.product_id.clear();
  }
  cart.erase(cart.begin() + 1);
}

void add_to_cart(CustomerState& s, const Event& e) {
  const int64_t ts = e.ts.value();
  s.last_cart_add_ms = std::max(s.last_cart_add_ms, ts);
  if (s.orders_total > 0 && ts <= s.last_purchase_ms) {
    return;  // Added before the latest purchase: already bought or abandoned.
  }
  auto it = std::upper_bound(s.cart.begin(), s.cart.end(), ts,
                             [](int64_t t, const CartLine& l) { return t < l.ts_ms; });
  s.cart.insert(it, CartLine{ts, e.product_id, e.quantity, e.price});
  if (s.cart.size() > kMaxCartLines) {
    merge_oldest_cart_lines(s.cart);
  }
}

void remove_from_cart(CustomerState& s, const Event& e) {
  int64_t left = e.quantity;
  for (auto it = s.cart.rbegin(); it != s.cart.rend() && left > 0; ++it) {
    if (it->product_id == e.product_id && it->ts_ms <= e.ts.value()) {
      const int64_t take = std::min(left, it->quantity);
      it->quantity -= take;
      left -= take;
    }
  }
  std::erase_if(s.cart, [](const CartLine& l) { return l.quantity <= 0; });
}

}  // namespace

uint64_t fingerprint(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

Novelty remember_event(CustomerState& state, const Event& event) {
  if (event.type == EventType::kPurchase && !event.order_id.empty()) {
    return remember(state.recent_order_ids, kMaxRecentOrderIds, fingerprint(event.order_id))
               ? Novelty::kNew
               : Novelty::kDuplicate;
  }
  if (event.event_id.empty()) {
    return Novelty::kNew;
  }
  return remember(state.recent_event_ids, kMaxRecentEventIds, fingerprint(event.event_id))
             ? Novelty::kNew
             : Novelty::kDuplicate;
}

void apply_event_features(CustomerState& s, const Event& e) {
  CHECK(!s.customer_id.empty());
  CHECK(e.type != EventType::kErasure);  // The engine erases; erasure is not a feature update.
  const int64_t ts = e.ts.value();
  if (s.version == 0 && s.first_event_ms == 0 && s.last_event_ms == 0) {
    s.first_event_ms = ts;
    s.last_event_ms = ts;
  }
  s.first_event_ms = std::min(s.first_event_ms, ts);
  s.last_event_ms = std::max(s.last_event_ms, ts);
  add_session_event(s, ts);
  switch (e.type) {
    case EventType::kPageView:
      add_activity(s, Activity::kPageView, ts);
      break;
    case EventType::kProductView:
      add_activity(s, Activity::kProductView, ts);
      add_affinity(s, e.category, kAffinityViewWeight, ts);
      break;
    case EventType::kSearch:
      add_activity(s, Activity::kSearch, ts);
      break;
    case EventType::kAddToCart:
      add_activity(s, Activity::kCartAdd, ts);
      add_affinity(s, e.category, kAffinityCartWeight, ts);
      add_to_cart(s, e);
      break;
    case EventType::kRemoveFromCart:
      remove_from_cart(s, e);
      break;
    case EventType::kPurchase:
      add_purchase(s, e);
      for (const LineItem& item : e.items) {
        add_affinity(s, item.category, kAffinityPurchaseWeight, ts);
      }
      break;
    case EventType::kRefund:
      add_refund(s, e);
      break;
    case EventType::kErasure:
      break;
  }
  prune_days(s);
}

}  // namespace segd::core
