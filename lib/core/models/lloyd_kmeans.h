#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/models/kmeans_pp.h"

namespace segd::core::models {

/// Outcome of an offline k-means fit.
struct KMeansResult {
  /// k centroids, each of the points' dimension; index = cluster id.
  std::vector<Point> centroids;
  /// For each input point (same order), its cluster: the nearest centroid, except for points
  /// moved to refill a cluster that would otherwise be empty.
  std::vector<std::size_t> assignments;
  /// Sum of squared Euclidean distances of the points to their assigned centroids.
  double inertia = 0.0;
  /// Assignment passes run (1..max_iter).
  std::size_t iterations = 0;

  bool operator==(const KMeansResult&) const = default;
};

/// Lloyd's algorithm, the offline reference: k-means++ seeding from SplitMix64(seed), then
/// alternating assignment (nearest centroid, ties to the lowest index) and mean update until the
/// assignments stop changing or `max_iter` passes have run. An empty cluster is refilled
/// deterministically with the point farthest from its own centroid (lowest index on ties) taken
/// from a cluster that keeps at least one point, so every cluster in the result owns at least one
/// point (even when fewer than k distinct points exist). Sums run in index order, so the result is
/// bit-identical for the same points, k and seed. O(iterations * n * k * d) time.
/// Errors: those of kmeans_pp_init (`empty_points`, `dimension_mismatch`, `non_finite_value`,
/// `bad_k`, ...) and `bad_max_iter` when max_iter == 0.
[[nodiscard]] Result<KMeansResult> lloyd_kmeans(std::span<const Point> points,
                                                std::size_t k,
                                                std::size_t max_iter,
                                                std::uint64_t seed);

/// Mean of the points assigned to each of k clusters; a cluster with no points keeps its entry
/// from `previous`. Shared by Lloyd and tests. Preconditions (CHECKed): sizes agree.
[[nodiscard]] std::vector<Point> cluster_means(std::span<const Point> points,
                                               std::span<const std::size_t> assignments,
                                               std::span<const Point> previous);

}  // namespace segd::core::models
