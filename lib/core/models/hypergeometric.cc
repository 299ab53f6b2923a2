#include "core/models/hypergeometric.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/common/check.h"

namespace segd::core::models {
namespace {

constexpr double kSeriesEps = 1e-17;
// Above this z the Gauss series needs too many terms unless c - a - b is large.
constexpr double kDirectMaxZ = 0.75;
constexpr double kDirectMinExcess = 20.0;
// Half-width of the interpolation window around an integer c - a - b.
constexpr double kIntegerGuard = 1e-5;
// A sum whose terms add up, in absolute value, to more than this times the sum has lost more than
// 6 of its 16 digits to cancellation: report a failure rather than a wrong value.
constexpr double kMaxCancellation = 1e6;
// Partial sums are divided by 2^kRescaleExponent (exactly) whenever a term exceeds that, so a
// series whose terms outgrow the double range still sums; the factor is carried in log space.
constexpr int kRescaleExponent = 600;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// sum * exp(log_factor) without overflow or underflow of exp(log_factor) on its own.
double apply_log_factor(double sum, double log_factor) {
  if (log_factor == 0.0 || sum == 0.0) {
    return sum;
  }
  const double factor = std::exp(log_factor);
  if (std::isnormal(factor)) {
    return sum * factor;
  }
  return std::copysign(std::exp(std::log(std::fabs(sum)) + log_factor), sum);
}

// exp(log_scale) * sum_n (a)_n (b)_n / ((c)_n n!) z^n for |z| < 1. Stops once the remaining tail,
// bounded by a geometric series, is below kSeriesEps relative to the sum, and only after every
// Pochhammer factor has passed its sign change (so a near-zero factor cannot stop it early).
// NaN when it has not stopped within max_terms or cancellation ate more than 6 digits.
Hyp2f1Sum gauss_series(double a, double b, double c, double z, double log_scale, int max_terms) {
  const double settle = std::max({-a, -b, -c, 0.0});
  double term = 1.0;
  double sum = 1.0;
  double abs_sum = 1.0;
  int exponent = 0;
  int n = 0;
  bool converged = false;
  while (n < max_terms && !converged) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    term *= ratio;
    sum += term;
    abs_sum += std::fabs(term);
    ++n;
    const double q = std::max(std::fabs(ratio), std::fabs(z));
    converged = term == 0.0 || (n > settle && q < 1.0 &&
                                std::fabs(term) * q / (1.0 - q) <= kSeriesEps * std::fabs(sum));
    if (std::fabs(term) > std::ldexp(1.0, kRescaleExponent)) {
      term = std::ldexp(term, -kRescaleExponent);
      sum = std::ldexp(sum, -kRescaleExponent);
      abs_sum = std::ldexp(abs_sum, -kRescaleExponent);
      exponent += kRescaleExponent;
    }
  }
  if (!converged || !(abs_sum <= kMaxCancellation * std::fabs(sum))) {
    return {kNaN, n};
  }
  return {apply_log_factor(sum, exponent * std::log(2.0) + log_scale), n};
}

// Abramowitz & Stegun 15.3.6, valid when c - a - b is not an integer:
// F(a,b;c;z) = G(c)G(m)/(G(c-a)G(c-b)) F(a,b;1-m;w) + w^m G(c)G(-m)/(G(a)G(b)) F(c-a,c-b;1+m;w)
// with m = c - a - b and w = 1 - z. NaN when the two terms cancel beyond kMaxCancellation.
Hyp2f1Sum connection_raw(double a, double b, double c, double w, int max_terms) {
  const double m = c - a - b;
  const Hyp2f1Sum f1 = gauss_series(a, b, 1.0 - m, w, 0.0, max_terms);
  const Hyp2f1Sum f2 = gauss_series(c - a, c - b, 1.0 + m, w, 0.0, max_terms);
  const double first = gamma_quotient(c, m, c - a, c - b, 0.0) * f1.value;
  const double second = gamma_quotient(c, -m, a, b, m * std::log(w)) * f2.value;
  const double sum = first + second;
  const bool ok = std::fabs(first) + std::fabs(second) <= kMaxCancellation * std::fabs(sum);
  return {ok ? sum : kNaN, f1.terms + f2.terms};
}

// Near an integer m the two terms of connection_raw have poles that cancel; evaluate on both
// sides of the integer and interpolate linearly in c (error O(kIntegerGuard^2)).
Hyp2f1Sum connection(double a, double b, double c, double w, int max_terms) {
  const double m = c - a - b;
  const double k = std::round(m);
  if (std::fabs(m - k) >= kIntegerGuard) {
    return connection_raw(a, b, c, w, max_terms);
  }
  const Hyp2f1Sum below = connection_raw(a, b, c + (k - kIntegerGuard - m), w, max_terms);
  const Hyp2f1Sum above = connection_raw(a, b, c + (k + kIntegerGuard - m), w, max_terms);
  const double fraction = (m - (k - kIntegerGuard)) / (2.0 * kIntegerGuard);
  return {below.value + (above.value - below.value) * fraction, below.terms + above.terms};
}

}  // namespace

Hyp2f1Sum hyp2f1_sum(double a, double b, double c, double z, double one_minus_z, int max_terms) {
  CHECK(z < 1.0 && one_minus_z > 0.0);
  CHECK(!is_nonpositive_integer(c));
  CHECK(max_terms <= kHyp2f1MaxTerms);
  if (z == 0.0 || a == 0.0 || b == 0.0) {
    return {1.0, 0};
  }
  if (z < 0.0) {
    // Pfaff: F(a,b;c;z) = (1-z)^(-a) F(a, c-b; c; z/(z-1)), argument now in (0, 1).
    const double w = z / (z - 1.0);
    const Hyp2f1Sum f = hyp2f1_sum(a, c - b, c, w, 1.0 / one_minus_z, max_terms);
    return {std::exp(-a * std::log(one_minus_z)) * f.value, f.terms};
  }
  // A non-positive integer a or b makes the series a polynomial: sum it exactly.
  if (z <= kDirectMaxZ || c - a - b > kDirectMinExcess || is_nonpositive_integer(a) ||
      is_nonpositive_integer(b)) {
    return gauss_series(a, b, c, z, 0.0, max_terms);
  }
  return connection(a, b, c, one_minus_z, max_terms);
}

double hyp2f1(double a, double b, double c, double z, double one_minus_z) {
  return hyp2f1_sum(a, b, c, z, one_minus_z).value;
}

double hyp2f1(double a, double b, double c, double z) { return hyp2f1(a, b, c, z, 1.0 - z); }

Hyp2f1Sum scaled_gauss_series(
    double a, double b, double c, double z, double log_scale, int max_terms) {
  CHECK(z >= 0.0 && z < 1.0);
  CHECK(!is_nonpositive_integer(c));
  CHECK(max_terms <= kHyp2f1MaxTerms);
  return gauss_series(a, b, c, z, log_scale, max_terms);
}

}  // namespace segd::core::models
