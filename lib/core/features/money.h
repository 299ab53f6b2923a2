#pragma once

#include <cmath>

namespace segd::core {

/// Sums of money up to this size (about 2^53 micro-units) are exact to the micro-unit.
inline constexpr double kExactMoneyLimit = 9e9;

/// `x` on the grid of micro-units (1e-6 of a currency unit): sums of decimal amounts kept on it
/// add up exactly and in any order (0.1 + 0.2 - 0.3 is 0, not 5.55e-17) while they stay below
/// kExactMoneyLimit; larger sums, NaN and infinities are left as they are. Never -0.
[[nodiscard]] inline double on_money_grid(double x) {
  if (!(std::fabs(x) < kExactMoneyLimit)) {
    return x;
  }
  return std::round(x * 1e6) / 1e6 + 0.0;
}

}  // namespace segd::core
