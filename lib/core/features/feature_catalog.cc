#include "core/features/feature_catalog.h"

#include "core/common/check.h"

namespace segd::core {
namespace {

using enum TimeBehaviour;

constexpr std::array<FeatureInfo, kFeatureCount> kFeatures = {{
    {"orders_total", kConstant},
    {"monetary_total", kConstant},
    {"avg_order_value", kConstant},
    {"first_purchase_at", kConstant},
    {"last_purchase_at", kConstant},
    {"days_since_last_purchase", kIncreasing},
    {"orders_7d", kStep},
    {"orders_30d", kStep},
    {"orders_90d", kStep},
    {"orders_365d", kStep},
    {"monetary_7d", kStep},
    {"monetary_30d", kStep},
    {"monetary_90d", kStep},
    {"monetary_365d", kStep},
    {"refunds_total", kConstant},
    {"refund_amount_total", kConstant},
    {"page_views_total", kConstant},
    {"product_views_total", kConstant},
    {"searches_total", kConstant},
    {"cart_adds_total", kConstant},
    {"page_views_decayed_1d", kDecaying},
    {"page_views_decayed_7d", kDecaying},
    {"page_views_decayed_30d", kDecaying},
    {"product_views_decayed_1d", kDecaying},
    {"product_views_decayed_7d", kDecaying},
    {"product_views_decayed_30d", kDecaying},
    {"searches_decayed_1d", kDecaying},
    {"searches_decayed_7d", kDecaying},
    {"searches_decayed_30d", kDecaying},
    {"cart_adds_decayed_1d", kDecaying},
    {"cart_adds_decayed_7d", kDecaying},
    {"cart_adds_decayed_30d", kDecaying},
    {"sessions_total", kConstant},
    {"sessions_30d", kStep},
    {"avg_session_minutes", kConstant},
    {"cart_open", kConstant},
    {"cart_value", kConstant},
    {"minutes_since_last_cart", kIncreasing},
    {"days_since_first_seen", kIncreasing},
    {"x", kConstant},
    {"t_x", kConstant},
    {"T", kStep},
}};

}  // namespace

const FeatureInfo& feature_info(FeatureId id) {
  const auto index = static_cast<size_t>(id);
  CHECK(index < kFeatureCount);
  return kFeatures[index];
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
