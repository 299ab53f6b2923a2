#pragma once

#include <cstddef>

namespace segd::core::scoring {

/// Number of k-means clusters of a refit: the default and the range that segd's
/// `models.kmeans_k`, `segctl fit --k` and `segctl replay --refit-every` share, so a replay
/// trains what the daemon would.
inline constexpr size_t kDefaultClusters = 6;
inline constexpr size_t kMinClusters = 2;
inline constexpr size_t kMaxClusters = 100;

}  // namespace segd::core::scoring
