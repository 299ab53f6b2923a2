#pragma once

#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/models/kmeans_pp.h"

namespace segd::core::models {

/// Per-dimension z-scoring parameters: x' = (x - mean) / scale. A plain aggregate so it can be
/// stored in (and compared across) versioned model snapshots. `scale` is the population standard
/// deviation of the fitted data, or 1 where that deviation is 0 (a constant feature then maps to
/// 0 instead of dividing by zero). Both vectors have the model's dimension.
struct Standardizer {
  std::vector<double> mean;
  std::vector<double> scale;

  bool operator==(const Standardizer&) const = default;
};

/// Fits mean and population standard deviation per dimension (two passes over the points, in
/// index order, for accuracy and determinism). A dimension whose values are all equal gets
/// mean = that value and scale = 1 exactly. Errors: those of validate_points.
[[nodiscard]] Result<Standardizer> fit_standardizer(std::span<const Point> points);

/// Maps a point to z-scores. The point must have the standardizer's dimension (CHECKed).
[[nodiscard]] Point standardize(const Standardizer& standardizer, const Point& point);

/// Maps a set of points to z-scores; same preconditions as standardize().
[[nodiscard]] std::vector<Point> standardize_all(const Standardizer& standardizer,
                                                 std::span<const Point> points);

/// Inverse of standardize(): x = z * scale + mean, e.g. to report centroids in raw units.
[[nodiscard]] Point unstandardize(const Standardizer& standardizer, const Point& z);

}  // namespace segd::core::models
