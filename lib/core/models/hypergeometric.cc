#include "core/models/hypergeometric.h"

#include <algorithm>
#include <cmath>

#include "core/common/check.h"

namespace segd::core::models {
namespace {

constexpr double kSeriesEps = 1e-17;
constexpr int kMaxTerms = 1'000'000;
// Above this z the Gauss series needs too many terms unless c - a - b is large.
constexpr double kDirectMaxZ = 0.75;
constexpr double kDirectMinExcess = 20.0;
// Half-width of the interpolation window around an integer c - a - b.
constexpr double kIntegerGuard = 1e-5;

bool is_nonpositive_integer(double v) { return v <= 0.0 && v == std::floor(v); }

// Sign of Gamma(v) for v not a non-positive integer: negative on (-1, 0), (-3, -2), ...
double gamma_sign(double v) {
  if (v > 0.0) {
    return 1.0;
  }
  return std::fmod(std::floor(v), 2.0) == 0.0 ? 1.0 : -1.0;
}

// Gamma(n1) Gamma(n2) / (Gamma(d1) Gamma(d2)) * exp(log_scale), computed in log space so large
// arguments do not overflow. 1/Gamma vanishes at the poles of a denominator.
double gamma_quotient(double n1, double n2, double d1, double d2, double log_scale) {
  if (is_nonpositive_integer(d1) || is_nonpositive_integer(d2)) {
    return 0.0;
  }
  const double sign = gamma_sign(n1) * gamma_sign(n2) * gamma_sign(d1) * gamma_sign(d2);
  const double log_abs = std::lgamma(n1) + std::lgamma(n2) - std::lgamma(d1) - std::lgamma(d2);
  return sign * std::exp(log_abs + log_scale);
}

// The Gauss series sum_n (a)_n (b)_n / ((c)_n n!) z^n for |z| < 1. Stops once the remaining tail,
// bounded by a geometric series, is below kSeriesEps relative to the sum, and only after every
// Pochhammer factor has passed its sign change (so a near-zero factor cannot stop it early).
double gauss_series(double a, double b, double c, double z) {
  const double settle = std::max({-a, -b, -c, 0.0});
  double term = 1.0;
  double sum = 1.0;
  for (int n = 0; n < kMaxTerms; ++n) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (term == 0.0) {
      break;
    }
    const double q = std::max(std::fabs(ratio), std::fabs(z));
    if (n + 1 > settle && q < 1.0 &&
        std::fabs(term) * q / (1.0 - q) <= kSeriesEps * std::fabs(sum)) {
      break;
    }
  }
  return sum;
}

// Abramowitz & Stegun 15.3.6, valid when c - a - b is not an integer:
// F(a,b;c;z) = G(c)G(m)/(G(c-a)G(c-b)) F(a,b;1-m;w) + w^m G(c)G(-m)/(G(a)G(b)) F(c-a,c-b;1+m;w)
// with m = c - a - b and w = 1 - z.
double connection_raw(double a, double b, double c, double w) {
  const double m = c - a - b;
  const double first = gamma_quotient(c, m, c - a, c - b, 0.0) * gauss_series(a, b, 1.0 - m, w);
  const double second =
      gamma_quotient(c, -m, a, b, m * std::log(w)) * gauss_series(c - a, c - b, 1.0 + m, w);
  return first + second;
}

// Near an integer m the two terms of connection_raw have poles that cancel; evaluate on both
// sides of the integer and interpolate linearly in c (error O(kIntegerGuard^2)).
double connection(double a, double b, double c, double w) {
  const double m = c - a - b;
  const double k = std::round(m);
  if (std::fabs(m - k) >= kIntegerGuard) {
    return connection_raw(a, b, c, w);
  }
  const double below = connection_raw(a, b, c + (k - kIntegerGuard - m), w);
  const double above = connection_raw(a, b, c + (k + kIntegerGuard - m), w);
  const double fraction = (m - (k - kIntegerGuard)) / (2.0 * kIntegerGuard);
  return below + (above - below) * fraction;
}

}  // namespace

double hyp2f1(double a, double b, double c, double z, double one_minus_z) {
  CHECK(z < 1.0 && one_minus_z > 0.0);
  CHECK(!is_nonpositive_integer(c));
  if (z == 0.0 || a == 0.0 || b == 0.0) {
    return 1.0;
  }
  if (z < 0.0) {
    // Pfaff: F(a,b;c;z) = (1-z)^(-a) F(a, c-b; c; z/(z-1)), argument now in (0, 1).
    const double w = z / (z - 1.0);
    return std::exp(-a * std::log(one_minus_z)) * hyp2f1(a, c - b, c, w, 1.0 / one_minus_z);
  }
  // A non-positive integer a or b makes the series a polynomial: sum it exactly.
  if (z <= kDirectMaxZ || c - a - b > kDirectMinExcess || is_nonpositive_integer(a) ||
      is_nonpositive_integer(b)) {
    return gauss_series(a, b, c, z);
  }
  return connection(a, b, c, one_minus_z);
}

double hyp2f1(double a, double b, double c, double z) { return hyp2f1(a, b, c, z, 1.0 - z); }

}  // namespace segd::core::models
