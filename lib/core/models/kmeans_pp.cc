#include "core/models/kmeans_pp.h"

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "core/common/check.h"

namespace segd::core::models {
namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Folds the word byte by byte, least significant first, so the hash does not depend on the
// machine's byte order.
std::uint64_t fnv_fold(std::uint64_t hash, std::uint64_t word) {
  for (int i = 0; i < 8; ++i) {
    hash ^= (word >> (8 * i)) & 0xffU;
    hash *= kFnvPrime;
  }
  return hash;
}

// Picks the index whose cumulative weight first exceeds `target`, scanning in index order. The
// fallback (rounding pushed `target` past the total) is the last index with positive weight.
std::size_t pick_weighted(const std::vector<double>& weights, double target) {
  double cumulative = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0.0) {
      continue;
    }
    cumulative += weights[i];
    last_positive = i;
    if (cumulative > target) {
      return i;
    }
  }
  return last_positive;
}

// Squared distances to the nearest centre once `centre` joins the centres behind `d2`.
std::vector<double> with_centre(std::span<const Point> points,
                                std::vector<double> d2,
                                const Point& centre) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double sq = squared_distance(points[i], centre);
    if (sq < d2[i]) {
      d2[i] = sq;
    }
  }
  return d2;
}

// 2 + floor(ln k) candidates per step, the choice of Arthur & Vassilvitskii's greedy variant
// (and scikit-learn's default).
std::size_t greedy_trials(std::size_t k) {
  return 2 + static_cast<std::size_t>(std::log(static_cast<double>(k)));
}

}  // namespace

std::uint64_t SplitMix64::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix64(state_);
}

double SplitMix64::next_unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t SplitMix64::next_below(std::uint64_t bound) {
  CHECK(bound > 0);
  const auto wide = static_cast<unsigned __int128>(next()) * bound;
  return static_cast<std::uint64_t>(wide >> 64);
}

std::uint64_t hash_points(std::span<const Point> points) {
  std::uint64_t hash = fnv_fold(kFnvOffset, points.size());
  for (const Point& p : points) {
    hash = fnv_fold(hash, p.size());
    for (double v : p) {
      // +0.0 folds -0.0 into +0.0: equal values must hash equally.
      hash = fnv_fold(hash, std::bit_cast<std::uint64_t>(v + 0.0));
    }
  }
  return mix64(hash);
}

Result<std::size_t> validate_points(std::span<const Point> points) {
  if (points.empty()) {
    return fail("empty_points", "no points given");
  }
  const std::size_t dim = points.front().size();
  if (dim == 0) {
    return fail("zero_dimension", "points have no coordinates");
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != dim) {
      return fail("dimension_mismatch", "point " + std::to_string(i) + " has dimension " +
                                            std::to_string(points[i].size()) + ", expected " +
                                            std::to_string(dim));
    }
    for (double v : points[i]) {
      if (!std::isfinite(v)) {
        return fail("non_finite_value", "point " + std::to_string(i) + " has a NaN or infinity");
      }
    }
  }
  return dim;
}

double squared_distance(const Point& a, const Point& b) {
  CHECK(a.size() == b.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double diff = a[i] - b[i];
    sum += diff * diff;
  }
  return sum;
}

Assignment nearest_centroid(std::span<const Point> centroids, const Point& point) {
  CHECK(!centroids.empty());
  std::size_t best = 0;
  double best_sq = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    const double sq = squared_distance(centroids[j], point);
    if (sq < best_sq) {
      best_sq = sq;
      best = j;
    }
  }
  return Assignment{best, std::sqrt(best_sq)};
}

Result<std::vector<Point>> kmeans_pp_init(std::span<const Point> points,
                                          std::size_t k,
                                          std::uint64_t seed) {
  auto dim = validate_points(points);
  if (!dim) {
    return std::unexpected(dim.error());
  }
  if (k == 0 || k > points.size()) {
    return fail("bad_k", "k must be in [1, number of points], got " + std::to_string(k));
  }
  SplitMix64 rng(seed);
  std::vector<Point> centres;
  centres.reserve(k);
  centres.push_back(points[rng.next_below(points.size())]);
  std::vector<double> d2 = with_centre(
      points, std::vector<double>(points.size(), std::numeric_limits<double>::infinity()),
      centres.front());
  const std::size_t trials = greedy_trials(k);
  while (centres.size() < k) {
    double total = 0.0;
    for (double w : d2) {
      total += w;
    }
    // Greedy k-means++: draw `trials` candidates by D^2 and keep the one that lowers the total
    // potential most (first on ties). A single draw lands two centres in one well-separated
    // cluster too often. Draws are taken even when all weights are zero, so the PRNG sequence
    // never depends on duplicates in the data.
    std::size_t best = centres.size() - 1;
    double best_potential = std::numeric_limits<double>::infinity();
    std::vector<double> best_d2;
    for (std::size_t t = 0; t < trials; ++t) {
      const double target = rng.next_unit() * total;
      const std::size_t candidate = total > 0.0 ? pick_weighted(d2, target) : centres.size() - 1;
      std::vector<double> trial_d2 = with_centre(points, d2, points[candidate]);
      double potential = 0.0;
      for (double w : trial_d2) {
        potential += w;
      }
      if (potential < best_potential) {
        best_potential = potential;
        best = candidate;
        best_d2 = std::move(trial_d2);
      }
    }
    centres.push_back(points[best]);
    d2 = std::move(best_d2);
  }
  return centres;
}

}  // namespace segd::core::models
