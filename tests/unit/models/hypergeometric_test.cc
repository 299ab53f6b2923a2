#include "core/models/hypergeometric.h"

#include <gtest/gtest.h>

#include <cmath>

namespace segd::core::models {
namespace {

double relative_error(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

TEST(Hyp2f1Test, MatchesLogClosedFormAcrossTheUnitInterval) {
  // 2F1(1, 1; 2; z) = -log(1 - z) / z; c - a - b = 0 exercises the integer interpolation,
  // whose O(1e-5^2 * log(1 - z)^2) error reaches ~1e-8 at z = 1 - 1e-9.
  for (double z : {0.01, 0.3, 0.75, 0.9, 0.999, 1.0 - 1e-9}) {
    const double want = -std::log1p(-z) / z;
    EXPECT_LT(relative_error(hyp2f1(1.0, 1.0, 2.0, z), want), 1e-8) << z;
  }
}

TEST(Hyp2f1Test, MatchesBinomialClosedForm) {
  // 2F1(a, b; b; z) = (1 - z)^(-a).
  for (double z : {0.2, 0.8, 0.99, 0.9999}) {
    const double want = std::pow(1.0 - z, -0.5);
    EXPECT_LT(relative_error(hyp2f1(0.5, 1.3, 1.3, z), want), 1e-12) << z;
  }
}

TEST(Hyp2f1Test, MatchesArcsinClosedForm) {
  // 2F1(1/2, 1/2; 3/2; s^2) = asin(s) / s.
  for (double s : {0.5, 0.95, 0.99999}) {
    EXPECT_LT(relative_error(hyp2f1(0.5, 0.5, 1.5, s * s), std::asin(s) / s), 1e-12) << s;
  }
}

TEST(Hyp2f1Test, ApproachesGaussSumNearOne) {
  // 2F1(a, b; c; 1) = G(c) G(c-a-b) / (G(c-a) G(c-b)) when c - a - b > 0.
  const double a = 0.4;
  const double b = 1.7;
  const double c = 3.2;
  const double want =
      std::tgamma(c) * std::tgamma(c - a - b) / (std::tgamma(c - a) * std::tgamma(c - b));
  EXPECT_LT(relative_error(hyp2f1(a, b, c, 1.0 - 1e-12, 1e-12), want), 1e-9);
}

TEST(Hyp2f1Test, HandlesNegativeArgumentByPfaff) {
  EXPECT_LT(relative_error(hyp2f1(1.0, 1.0, 2.0, -3.0), std::log(4.0) / 3.0), 1e-12);
}

TEST(Hyp2f1Test, TerminatesForNonPositiveIntegerA) {
  // 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)).
  const double b = 1.5;
  const double c = 2.5;
  const double z = 0.9;
  const double want = 1.0 - 2.0 * b * z / c + b * (b + 1.0) * z * z / (c * (c + 1.0));
  EXPECT_LT(relative_error(hyp2f1(-2.0, b, c, z), want), 1e-13);
}

TEST(Hyp2f1Test, ReportsNaNWhenTheSeriesHasNotConvergedWithinItsTerms) {
  // Before, the partial sum after the last term allowed came back as the value.
  const Hyp2f1Sum f = hyp2f1_sum(0.5, 0.5, 1.5, 0.5, 0.5, 3);
  EXPECT_TRUE(std::isnan(f.value));
  EXPECT_EQ(f.terms, 3);
  EXPECT_LT(relative_error(hyp2f1_sum(0.5, 0.5, 1.5, 0.5, 0.5).value,
                           std::asin(std::sqrt(0.5)) / std::sqrt(0.5)),
            1e-12);
}

TEST(Hyp2f1Test, ReportsNaNRatherThanACancelledConnectionFormula) {
  // The BG/NBD Euler series for r = 1, a = 0.001, b = 1000, x = 1, z = 0.97: the connection
  // formula's terms cancel in 12 digits (it gave -4561.6 once multiplied out). mpmath: 0.0313051...
  const double v = hyp2f1(998.001, -0.999, 1000.001, 0.9707446808510638, 0.02925531914893617);
  EXPECT_TRUE(std::isnan(v) || relative_error(v, 0.031305137748462896326) < 1e-8) << v;
}

TEST(Hyp2f1Test, ScaledSeriesSumsPastTheDoubleRange) {
  // 0.25^800 * 2F1(800, b; b; 0.75) = 0.25^800 * 0.25^-800 = 1, while the terms reach ~1e480.
  const Hyp2f1Sum f = scaled_gauss_series(800.0, 1.3, 1.3, 0.75, 800.0 * std::log(0.25), 100'000);
  EXPECT_LT(relative_error(f.value, 1.0), 1e-12);
  EXPECT_LT(f.terms, 5'000);
}

}  // namespace
}  // namespace segd::core::models
