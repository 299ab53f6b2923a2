#include "gen/det_math.h"

#include <cmath>
#include <limits>

#include "core/common/check.h"

namespace segd::gen {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kSqrtHalf = 0.707106781186547524400844362104849039;

}  // namespace

double det_log(double x) {
  CHECK(x > 0.0 && x <= std::numeric_limits<double>::max());
  int exponent = 0;
  // frexp is exact: x = m * 2^exponent with m in [0.5, 1).
  double m = std::frexp(x, &exponent);
  if (m < kSqrtHalf) {
    m *= 2.0;
    exponent -= 1;
  }
  // ln(m) = 2 atanh(s) with |s| <= 0.172, so the odd series converges fast.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double term = s;
  double sum = 0.0;
  for (int k = 1; k <= 31; k += 2) {
    sum += term / k;
    term *= s2;
  }
  return 2.0 * sum + exponent * kLn2;
}

double det_exp(double x) {
  if (x < -745.0) {
    return 0.0;
  }
  if (x > 709.0) {
    return std::numeric_limits<double>::infinity();
  }
  // x = n ln2 + r with |r| <= ln2 / 2; e^r by Taylor series, then scale exactly by 2^n.
  const double n = std::floor(x / kLn2 + 0.5);
  const double r = x - n * kLn2;
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k <= 22; ++k) {
    term *= r / k;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(n));
}

double det_pow(double base, double exponent) {
  CHECK(base >= 0.0);
  if (base == 0.0) {
    return exponent == 0.0 ? 1.0 : 0.0;
  }
  return det_exp(exponent * det_log(base));
}

}  // namespace segd::gen
