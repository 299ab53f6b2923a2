#include "core/features/feature_catalog.h"

#include "core/common/check.h"

namespace segd::core {
namespace {

using enum TimeBehaviour;

constexpr std::array<FeatureInfo, kFeatureCount> kFeatures = {{
    {"orders_total", kConstant, Trend::kFlat},
    {"monetary_total", kConstant, Trend::kFlat},
    {"avg_order_value", kConstant, Trend::kFlat},
    {"first_purchase_at", kConstant, Trend::kFlat},
    {"last_purchase_at", kConstant, Trend::kFlat},
    {"days_since_last_purchase", kIncreasing, Trend::kUp},
    {"orders_7d", kStep, Trend::kDown},
    {"orders_30d", kStep, Trend::kDown},
    {"orders_90d", kStep, Trend::kDown},
    {"orders_365d", kStep, Trend::kDown},
    {"monetary_7d", kStep, Trend::kAny},
    {"monetary_30d", kStep, Trend::kAny},
    {"monetary_90d", kStep, Trend::kAny},
    {"monetary_365d", kStep, Trend::kAny},
    {"refunds_total", kConstant, Trend::kFlat},
    {"refund_amount_total", kConstant, Trend::kFlat},
    {"page_views_total", kConstant, Trend::kFlat},
    {"product_views_total", kConstant, Trend::kFlat},
    {"searches_total", kConstant, Trend::kFlat},
    {"cart_adds_total", kConstant, Trend::kFlat},
    {"page_views_decayed_1d", kDecaying, Trend::kDown},
    {"page_views_decayed_7d", kDecaying, Trend::kDown},
    {"page_views_decayed_30d", kDecaying, Trend::kDown},
    {"product_views_decayed_1d", kDecaying, Trend::kDown},
    {"product_views_decayed_7d", kDecaying, Trend::kDown},
    {"product_views_decayed_30d", kDecaying, Trend::kDown},
    {"searches_decayed_1d", kDecaying, Trend::kDown},
    {"searches_decayed_7d", kDecaying, Trend::kDown},
    {"searches_decayed_30d", kDecaying, Trend::kDown},
    {"cart_adds_decayed_1d", kDecaying, Trend::kDown},
    {"cart_adds_decayed_7d", kDecaying, Trend::kDown},
    {"cart_adds_decayed_30d", kDecaying, Trend::kDown},
    {"sessions_total", kConstant, Trend::kFlat},
    {"sessions_30d", kStep, Trend::kDown},
    {"avg_session_minutes", kConstant, Trend::kFlat},
    {"cart_open", kConstant, Trend::kFlat},
    {"cart_value", kConstant, Trend::kFlat},
    {"minutes_since_last_cart", kIncreasing, Trend::kUp},
    {"days_since_first_seen", kIncreasing, Trend::kUp},
    {"x", kConstant, Trend::kFlat},
    {"t_x", kConstant, Trend::kFlat},
    {"T", kStep, Trend::kUp},
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
