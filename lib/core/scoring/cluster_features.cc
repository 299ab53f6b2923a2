#include "core/scoring/cluster_features.h"

#include <algorithm>
#include <cmath>

namespace segd::core::scoring {
namespace {

double get(const FeatureVector& f, FeatureId id) {
  const double v = f[static_cast<size_t>(id)];
  return std::isfinite(v) && v > 0.0 ? v : 0.0;
}

double days(int64_t ms) {
  return std::max(0.0, static_cast<double>(ms) / static_cast<double>(kMsPerDay));
}

}  // namespace

const std::array<std::string_view, kClusterDim>& cluster_feature_names() {
  static constexpr std::array<std::string_view, kClusterDim> kNames = {
      "log_events_per_session", "orders_per_session", "log1p_overdue",
      "log1p_page_views_per_session", "log1p_product_views_per_session"};
  return kNames;
}

ClusterVector cluster_features(const CustomerState& state, const FeatureVector& f, TimestampMs at) {
  const double sessions = std::max(get(f, FeatureId::kSessionsTotal), 1.0);
  const double orders = get(f, FeatureId::kOrdersTotal);
  const double page_views = get(f, FeatureId::kPageViewsTotal);
  const double product_views = get(f, FeatureId::kProductViewsTotal);
  const double events = page_views + product_views + get(f, FeatureId::kSearchesTotal) +
                        get(f, FeatureId::kCartAddsTotal) + orders;
  // Overdue: the silence since the last event in units of the customer's own rhythm, so a
  // sparse but steady customer is not mistaken for one that stopped.
  const double idle = days(at.value() - state.last_event_ms);
  const double gap =
      days(state.last_event_ms - state.first_event_ms) / std::max(sessions - 1.0, 1.0);
  return ClusterVector{
      std::log(std::max(events, 1.0) / sessions), std::min(orders / sessions, 1.0),
      std::log1p(idle / std::max(gap, 1.0)),      std::log1p(page_views / sessions),
      std::log1p(product_views / sessions),
  };
}

}  // namespace segd::core::scoring
