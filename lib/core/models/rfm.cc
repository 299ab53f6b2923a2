#include "core/models/rfm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace segd::core::models {

QuintileCuts quintile_cuts(std::span<const double> values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (const double v : values) {
    if (std::isfinite(v)) {
      sorted.push_back(v);
    }
  }
  QuintileCuts cuts{};
  if (sorted.empty()) {
    return cuts;
  }
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  for (size_t i = 1; i <= 4; ++i) {
    // Nearest rank: ceil(i * n / 5) - 1, in integers (no floating rounding).
    const size_t rank = (i * n + 4) / 5;
    cuts[i - 1] = sorted[std::max<size_t>(rank, 1) - 1];
  }
  return cuts;
}

double rfm_score(const QuintileCuts& cuts, double value, RfmDirection direction) {
  if (std::isnan(value)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  int below = 0;
  for (const double cut : cuts) {
    below += cut < value ? 1 : 0;
  }
  return direction == RfmDirection::kHigherIsBetter ? 1.0 + below : 5.0 - below;
}

}  // namespace segd::core::models
