#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/common/result.h"

namespace segd::core::models {

/// One feature vector of fixed dimension d. A set of points is a `std::span<const Point>`; all
/// points of a set (and all centroids of a model) share the same d.
using Point = std::vector<double>;

/// A small, fully specified PRNG (splitmix64, Steele/Lea/Flood 2014). Unlike std:: engines and
/// distributions its output is the same on every platform and standard library, which is what
/// makes seeded k-means++ reproducible. Not thread-safe; cheap to copy.
class SplitMix64 {
 public:
  /// Starts the sequence from `seed`.
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  /// Next 64 uniformly distributed bits.
  std::uint64_t next();

  /// Uniform double in [0, 1) with 53 bits of precision.
  double next_unit();

  /// Uniform integer in [0, bound) by multiply-shift (Lemire); `bound` must be > 0. The tiny bias
  /// (< bound / 2^64) is irrelevant here and keeps the draw count fixed at one.
  std::uint64_t next_below(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

/// Hash of the points' values, independent of byte order (each double's bit pattern is folded in
/// as an integer, -0.0 as +0.0), finished with the splitmix64 mixer. Used to seed initialisation
/// from the data itself, so the same input always yields the same model.
[[nodiscard]] std::uint64_t hash_points(std::span<const Point> points);

/// Checks a point set: non-empty, every point of the same non-zero dimension, all values finite.
/// Returns the dimension. Errors: `empty_points`, `zero_dimension`, `dimension_mismatch`,
/// `non_finite_value`.
[[nodiscard]] Result<std::size_t> validate_points(std::span<const Point> points);

/// Squared Euclidean distance; `a` and `b` must have the same size (CHECKed).
[[nodiscard]] double squared_distance(const Point& a, const Point& b);

/// The cluster a point belongs to and its Euclidean distance to that cluster's centroid.
struct Assignment {
  std::size_t cluster = 0;
  double distance = 0.0;

  bool operator==(const Assignment&) const = default;
};

/// Nearest centroid by Euclidean distance; ties go to the lowest index. `centroids` must be
/// non-empty and of the point's dimension (CHECKed: a feature vector of the wrong size is a bug,
/// not bad input). O(k*d), allocation-free.
[[nodiscard]] Assignment nearest_centroid(std::span<const Point> centroids, const Point& point);

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007): the first centre is a uniformly drawn
/// point; for each next one, 2 + floor(ln k) candidates are drawn with probability proportional
/// to their squared distance to the nearest centre chosen so far, and the candidate that leaves
/// the smallest total squared distance is kept. All draws come from SplitMix64(seed), sums run
/// in index order, so the same points and seed give bit-identical centres everywhere. If fewer
/// than k distinct points exist, the remaining centres repeat chosen points (Lloyd then refills
/// them). O(k * log k * n * d).
/// Errors: those of validate_points, `bad_k` (k == 0 or k > number of points).
[[nodiscard]] Result<std::vector<Point>> kmeans_pp_init(std::span<const Point> points,
                                                        std::size_t k,
                                                        std::uint64_t seed);

}  // namespace segd::core::models
