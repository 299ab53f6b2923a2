#pragma once

#include <cmath>

namespace segd::core {

/// Sums of money below this size are exact to the micro-unit: up to it, x * 1e6 of a value on the
/// grid lies within a fraction of a micro-unit of the whole number it stands for (measured: the
/// first sums that are not come a little above 2^31; a double's spacing passes 1e-6 at 2^33).
inline constexpr double kExactMoneyLimit = 2e9;

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
