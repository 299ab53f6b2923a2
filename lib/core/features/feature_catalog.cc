#include "core/features/feature_catalog.h"

#include <initializer_list>

#include "core/common/check.h"

namespace segd::core {
namespace {

using enum TimeBehaviour;

constexpr EventMask bits(std::initializer_list<EventType> types) {
  EventMask m = 0;
  for (const EventType t : types) {
    m |= event_bit(t);
  }
  return m;
}

// What apply_event_features() writes, by event type: every event its session and the first and
// last event times; the four activity types every decayed count (all rows are rescaled to the
// newest activity time) and their own total; a purchase the orders, money, purchase days and
// the cart (emptied); a refund the money; cart events the cart (an add also its time and total).
constexpr EventMask kAnyEvent =
    bits({EventType::kPageView, EventType::kProductView, EventType::kSearch, EventType::kAddToCart,
          EventType::kRemoveFromCart, EventType::kPurchase, EventType::kRefund});
constexpr EventMask kActivity = bits(
    {EventType::kPageView, EventType::kProductView, EventType::kSearch, EventType::kAddToCart});
constexpr EventMask kOrders = bits({EventType::kPurchase});
constexpr EventMask kMoney = bits({EventType::kPurchase, EventType::kRefund});
constexpr EventMask kRefunds = bits({EventType::kRefund});
constexpr EventMask kCart =
    bits({EventType::kAddToCart, EventType::kRemoveFromCart, EventType::kPurchase});
constexpr EventMask kCartAdd = bits({EventType::kAddToCart});

constexpr std::array<FeatureInfo, kFeatureCount> kFeatures = {{
    {"orders_total", kConstant, Trend::kFlat, kOrders},
    {"monetary_total", kConstant, Trend::kFlat, kMoney},
    {"avg_order_value", kConstant, Trend::kFlat, kMoney},
    {"first_purchase_at", kConstant, Trend::kFlat, kOrders},
    {"last_purchase_at", kConstant, Trend::kFlat, kOrders},
    {"days_since_last_purchase", kIncreasing, Trend::kUp, kOrders},
    {"orders_7d", kStep, Trend::kDown, kOrders},
    {"orders_30d", kStep, Trend::kDown, kOrders},
    {"orders_90d", kStep, Trend::kDown, kOrders},
    {"orders_365d", kStep, Trend::kDown, kOrders},
    {"monetary_7d", kStep, Trend::kAny, kMoney},
    {"monetary_30d", kStep, Trend::kAny, kMoney},
    {"monetary_90d", kStep, Trend::kAny, kMoney},
    {"monetary_365d", kStep, Trend::kAny, kMoney},
    {"refunds_total", kConstant, Trend::kFlat, kRefunds},
    {"refund_amount_total", kConstant, Trend::kFlat, kMoney},
    {"page_views_total", kConstant, Trend::kFlat, kActivity},
    {"product_views_total", kConstant, Trend::kFlat, kActivity},
    {"searches_total", kConstant, Trend::kFlat, kActivity},
    {"cart_adds_total", kConstant, Trend::kFlat, kActivity},
    {"page_views_decayed_1d", kDecaying, Trend::kDown, kActivity},
    {"page_views_decayed_7d", kDecaying, Trend::kDown, kActivity},
    {"page_views_decayed_30d", kDecaying, Trend::kDown, kActivity},
    {"product_views_decayed_1d", kDecaying, Trend::kDown, kActivity},
    {"product_views_decayed_7d", kDecaying, Trend::kDown, kActivity},
    {"product_views_decayed_30d", kDecaying, Trend::kDown, kActivity},
    {"searches_decayed_1d", kDecaying, Trend::kDown, kActivity},
    {"searches_decayed_7d", kDecaying, Trend::kDown, kActivity},
    {"searches_decayed_30d", kDecaying, Trend::kDown, kActivity},
    {"cart_adds_decayed_1d", kDecaying, Trend::kDown, kActivity},
    {"cart_adds_decayed_7d", kDecaying, Trend::kDown, kActivity},
    {"cart_adds_decayed_30d", kDecaying, Trend::kDown, kActivity},
    {"sessions_total", kConstant, Trend::kFlat, kAnyEvent},
    {"sessions_30d", kStep, Trend::kDown, kAnyEvent},
    {"avg_session_minutes", kConstant, Trend::kFlat, kAnyEvent},
    {"cart_open", kConstant, Trend::kFlat, kCart},
    {"cart_value", kConstant, Trend::kFlat, kCart},
    {"minutes_since_last_cart", kIncreasing, Trend::kUp, kCartAdd},
    {"days_since_first_seen", kIncreasing, Trend::kUp, kAnyEvent},
    {"x", kConstant, Trend::kFlat, kOrders},
    {"t_x", kConstant, Trend::kFlat, kOrders},
    {"T", kStep, Trend::kUp, kOrders},
}};

}  // namespace

constinit const std::array<FeatureInfo, kFeatureCount> kFeatureInfos = kFeatures;

EventMask affinity_changed_by() {
  return bits({EventType::kProductView, EventType::kAddToCart, EventType::kPurchase});
}

std::optional<FeatureId> feature_by_name(std::string_view name) {
  for (size_t i = 0; i < kFeatureCount; ++i) {
    if (kFeatures[i].name == name) {
      return static_cast<FeatureId>(i);
    }
  }
  return std::nullopt;
}

}  // namespace segd::core
