#include "core/models/rfm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace segd::core::models {

QuintileCuts quintile_cuts(std::span<const double> values) {
  std::vector<double> finite;
  finite.reserve(values.size());
  for (const double v : values) {
    if (std::isfinite(v)) {
      finite.push_back(v);
    }
  }
  QuintileCuts cuts{};
  if (finite.empty()) {
    return cuts;
  }
  // Four order statistics, not a full sort: each selection leaves everything before its rank
  // no larger, so the next one only partitions what follows (ranks never decrease).
  const size_t n = finite.size();
  auto from = finite.begin();
  for (size_t i = 1; i <= 4; ++i) {
    // Nearest rank: ceil(i * n / 5) - 1, in integers (no floating rounding).
    const auto nth =
        finite.begin() + static_cast<ptrdiff_t>(std::max<size_t>((i * n + 4) / 5, 1) - 1);
    std::nth_element(from, nth, finite.end());
    cuts[i - 1] = *nth;
    from = nth;
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
