#pragma once

#include <algorithm>
#include <cmath>

namespace segd::core::models {

/// log(exp(u) + exp(v)) without overflow or underflow of the intermediate exponentials.
[[nodiscard]] inline double log_add_exp(double u, double v) {
  const double hi = std::max(u, v);
  const double lo = std::min(u, v);
  return hi + std::log1p(std::exp(lo - hi));
}

/// log B(x, y), the log of the Beta function, for x, y > 0.
[[nodiscard]] inline double log_beta(double x, double y) {
  return std::lgamma(x) + std::lgamma(y) - std::lgamma(x + y);
}

}  // namespace segd::core::models
