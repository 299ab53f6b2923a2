#pragma once
// Synthetic clustering data shared by the k-means tests.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "core/models/kmeans_pp.h"

namespace segd::core::models {

struct Blobs {
  std::vector<Point> points;
  std::vector<int> truth;
};

// Six unit-variance Gaussian blobs in 4-D, centres at least 20 apart; Box-Muller over SplitMix64.
inline Blobs make_blobs(std::size_t n, std::uint64_t seed, double shift = 0.0) {
  const std::vector<Point> centres = {{0, 0, 0, 0},  {20, 0, 0, 0}, {0, 20, 0, 0},
                                      {0, 0, 20, 0}, {0, 0, 0, 20}, {20, 20, 20, 20}};
  SplitMix64 rng(seed);
  Blobs out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<int>(rng.next_below(centres.size()));
    Point p = centres[static_cast<std::size_t>(label)];
    for (double& v : p) {
      const double u1 = 1.0 - rng.next_unit();
      const double u2 = rng.next_unit();
      v += shift + std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    out.points.push_back(std::move(p));
    out.truth.push_back(label);
  }
  return out;
}

}  // namespace segd::core::models
