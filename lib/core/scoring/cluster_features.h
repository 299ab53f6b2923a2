#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "core/common/time.h"
#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"

/// The clustering feature vector: a fixed-size, documented transform of a customer's features
/// that k-means runs on (after z-scoring with the snapshot's Standardizer). The dimensions
/// describe *how* a customer shops, not how much (activity levels are heavy-tailed and would
/// dominate k-means), see MODELS.md "Scores and refits":
///   0 log_events_per_session  = log((page_views + product_views + searches + cart_adds + orders)
///                                    / sessions)
///   1 orders_per_session      = min(1, orders_total / sessions)
///   2 log1p_overdue           = log1p(days since the last event / max(1, mean days between
///                                     sessions)), mean gap = (last - first event) / (sessions-1)
///   3 log1p_page_views_per_session    = log1p(page_views_total / sessions)
///   4 log1p_product_views_per_session = log1p(product_views_total / sessions)
/// with sessions = max(1, sessions_total).
namespace segd::core::scoring {

/// Dimension of the clustering vector.
inline constexpr size_t kClusterDim = 5;
/// The one dimension that moves with stream time (log1p_overdue): the others count events.
inline constexpr size_t kOverdueDim = 2;

/// One clustering vector, in raw (not yet standardized) units.
using ClusterVector = std::array<double, kClusterDim>;

/// Names of the dimensions, in order (for docs, `segctl fit` and tests).
[[nodiscard]] const std::array<std::string_view, kClusterDim>& cluster_feature_names();

/// The clustering vector of a customer at stream time `at`, from its features (computed by
/// compute_features at the same `at`) and state. Every value is finite for any state. Pure,
/// allocation-free, thread-safe.
[[nodiscard]] ClusterVector cluster_features(const CustomerState& state,
                                             const FeatureVector& features,
                                             TimestampMs at);

}  // namespace segd::core::scoring
