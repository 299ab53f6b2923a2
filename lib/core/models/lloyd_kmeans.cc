#include "core/models/lloyd_kmeans.h"

#include <string>
#include <utility>

#include "core/common/check.h"

namespace segd::core::models {
namespace {

std::vector<std::size_t> assign_all(std::span<const Point> points,
                                    std::span<const Point> centroids) {
  std::vector<std::size_t> out(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    out[i] = nearest_centroid(centroids, points[i]).cluster;
  }
  return out;
}

// Refills each empty cluster (in id order) with the point farthest from its current centroid,
// among clusters that would keep at least one point. Farthest points are the worst-served ones,
// which is the usual and deterministic choice.
std::vector<std::size_t> refill_empty(std::span<const Point> points,
                                      std::span<const Point> centroids,
                                      std::vector<std::size_t> assignments) {
  std::vector<std::size_t> sizes(centroids.size(), 0);
  for (std::size_t c : assignments) {
    ++sizes[c];
  }
  for (std::size_t empty = 0; empty < centroids.size(); ++empty) {
    if (sizes[empty] != 0) {
      continue;
    }
    std::size_t donor_point = points.size();
    double farthest = -1.0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::size_t c = assignments[i];
      if (sizes[c] < 2) {
        continue;
      }
      const double sq = squared_distance(points[i], centroids[c]);
      if (sq > farthest) {
        farthest = sq;
        donor_point = i;
      }
    }
    // k <= n guarantees some cluster has two points while another is empty.
    CHECK(donor_point < points.size());
    --sizes[assignments[donor_point]];
    assignments[donor_point] = empty;
    sizes[empty] = 1;
  }
  return assignments;
}

double inertia_of(std::span<const Point> points,
                  std::span<const Point> centroids,
                  std::span<const std::size_t> assignments) {
  double sum = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    sum += squared_distance(points[i], centroids[assignments[i]]);
  }
  return sum;
}

}  // namespace

std::vector<Point> cluster_means(std::span<const Point> points,
                                 std::span<const std::size_t> assignments,
                                 std::span<const Point> previous) {
  CHECK(points.size() == assignments.size());
  CHECK(!previous.empty());
  const std::size_t dim = previous.front().size();
  std::vector<Point> sums(previous.size(), Point(dim, 0.0));
  std::vector<std::size_t> counts(previous.size(), 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::size_t c = assignments[i];
    CHECK(c < previous.size());
    CHECK(points[i].size() == dim);
    for (std::size_t j = 0; j < dim; ++j) {
      sums[c][j] += points[i][j];
    }
    ++counts[c];
  }
  for (std::size_t c = 0; c < previous.size(); ++c) {
    if (counts[c] == 0) {
      sums[c] = previous[c];
      continue;
    }
    const auto n = static_cast<double>(counts[c]);
    for (double& v : sums[c]) {
      v /= n;
    }
  }
  return sums;
}

Result<KMeansResult> lloyd_kmeans(std::span<const Point> points,
                                  std::size_t k,
                                  std::size_t max_iter,
                                  std::uint64_t seed) {
  if (max_iter == 0) {
    return fail("bad_max_iter", "max_iter must be at least 1");
  }
  auto init = kmeans_pp_init(points, k, seed);
  if (!init) {
    return std::unexpected(init.error());
  }
  KMeansResult result;
  result.centroids = std::move(*init);
  for (std::size_t iter = 1; iter <= max_iter; ++iter) {
    auto next = refill_empty(points, result.centroids, assign_all(points, result.centroids));
    result.iterations = iter;
    if (iter > 1 && next == result.assignments) {
      break;  // Converged: the centroids are already the means of these assignments.
    }
    result.assignments = std::move(next);
    result.centroids = cluster_means(points, result.assignments, result.centroids);
  }
  // Final assignments against the final centroids (the same as the last pass when converged;
  // when max_iter stopped us after a mean update, some points may now have a nearer centroid).
  result.assignments = refill_empty(points, result.centroids, assign_all(points, result.centroids));
  result.inertia = inertia_of(points, result.centroids, result.assignments);
  return result;
}

}  // namespace segd::core::models
