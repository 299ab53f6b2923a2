#include "core/models/standardizer.h"

#include <cmath>

#include "core/common/check.h"

namespace segd::core::models {

Result<Standardizer> fit_standardizer(std::span<const Point> points) {
  auto dim = validate_points(points);
  if (!dim) {
    return std::unexpected(dim.error());
  }
  const auto n = static_cast<double>(points.size());
  Standardizer out{std::vector<double>(*dim, 0.0), std::vector<double>(*dim, 0.0)};
  for (const Point& p : points) {
    for (std::size_t j = 0; j < *dim; ++j) {
      out.mean[j] += p[j];
    }
  }
  for (double& m : out.mean) {
    m /= n;
  }
  for (std::size_t j = 0; j < *dim; ++j) {
    double sum_sq = 0.0;
    bool constant = true;
    for (const Point& p : points) {
      const double diff = p[j] - out.mean[j];
      sum_sq += diff * diff;
      constant = constant && p[j] == points.front()[j];
    }
    if (constant) {
      // The summed mean of equal values may be off by an ulp; pin it so the feature maps to 0.
      out.mean[j] = points.front()[j];
      out.scale[j] = 1.0;
    } else {
      const double sd = std::sqrt(sum_sq / n);
      out.scale[j] = sd > 0.0 ? sd : 1.0;
    }
  }
  return out;
}

Point standardize(const Standardizer& standardizer, const Point& point) {
  CHECK(point.size() == standardizer.mean.size());
  CHECK(point.size() == standardizer.scale.size());
  Point z(point.size());
  for (std::size_t j = 0; j < point.size(); ++j) {
    z[j] = (point[j] - standardizer.mean[j]) / standardizer.scale[j];
  }
  return z;
}

std::vector<Point> standardize_all(const Standardizer& standardizer,
                                   std::span<const Point> points) {
  std::vector<Point> out;
  out.reserve(points.size());
  for (const Point& p : points) {
    out.push_back(standardize(standardizer, p));
  }
  return out;
}

Point unstandardize(const Standardizer& standardizer, const Point& z) {
  CHECK(z.size() == standardizer.mean.size());
  CHECK(z.size() == standardizer.scale.size());
  Point x(z.size());
  for (std::size_t j = 0; j < z.size(); ++j) {
    x[j] = z[j] * standardizer.scale[j] + standardizer.mean[j];
  }
  return x;
}

}  // namespace segd::core::models
