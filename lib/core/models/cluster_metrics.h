#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/common/check.h"
#include "core/common/result.h"
#include "core/models/kmeans_pp.h"

namespace segd::core::models {

/// Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same n items:
/// (sum_ij C(n_ij,2) - E) / ((sum_i C(a_i,2) + sum_j C(b_j,2)) / 2 - E), with
/// E = sum_i C(a_i,2) * sum_j C(b_j,2) / C(n,2), over the contingency table n_ij of the labels.
/// Labels are arbitrary ints (only equality matters), so a relabeling scores 1. Random
/// labelings score about 0; it can be negative. When the denominator is 0 (both labelings put
/// everything in one cluster, or both make every item its own cluster, or n < 2) the labelings
/// agree and 1 is returned. Precondition (CHECKed): a.size() == b.size(). O(n log n).
[[nodiscard]] double adjusted_rand_index(std::span<const int> a, std::span<const int> b);

/// A relabeling of k clusters: `permutation[new_id] = stable_id`.
using Relabeling = std::vector<std::size_t>;

/// Keeps cluster ids stable across refits: finds the one-to-one map from `fresh` centroids to
/// `previous` ones that minimises the total squared Euclidean distance between matched pairs
/// (optimal assignment, Hungarian algorithm, O(k^3)). Result[i] is the id that fresh centroid i
/// should take. Deterministic for identical input. Errors: `centroid_count_mismatch`, and those
/// of validate_points (including dimension mismatch between the two sets).
[[nodiscard]] Result<Relabeling> match_centroids(std::span<const Point> previous,
                                                 std::span<const Point> fresh);

/// Reorders values by a relabeling: out[relabeling[i]] = values[i]. Works for centroids and
/// weights. Precondition (CHECKed): relabeling is a permutation of 0..values.size()-1.
template <typename T>
[[nodiscard]] std::vector<T> apply_relabeling(std::span<const T> values,
                                              const Relabeling& relabeling) {
  CHECK(values.size() == relabeling.size());
  std::vector<T> out(values.size());
  std::vector<bool> seen(values.size(), false);
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(relabeling[i] < values.size() && !seen[relabeling[i]]);
    seen[relabeling[i]] = true;
    out[relabeling[i]] = values[i];
  }
  return out;
}

/// Maps cluster ids through a relabeling: out[i] = relabeling[ids[i]]. Precondition (CHECKed):
/// every id < relabeling.size().
[[nodiscard]] std::vector<std::size_t> relabel_ids(std::span<const std::size_t> ids,
                                                   const Relabeling& relabeling);

}  // namespace segd::core::models
