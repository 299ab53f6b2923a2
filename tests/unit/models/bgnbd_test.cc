#include "core/models/bgnbd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/models/sim_rng.h"

namespace segd::core::models {
namespace {

// FHL 2005 CDNOW estimates, time unit weeks.
constexpr BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};

TEST(BgNbdTest, ConditionalExpectationMatchesPaper) {
  EXPECT_NEAR(expected_purchases(kCdnow, 39.0, 2.0, 30.43, 38.86), 1.226, 1e-3);
}

TEST(BgNbdTest, ProbabilityOfZeroPurchasesMatchesNote) {
  EXPECT_NEAR(prob_purchases(kCdnow, 39.0, 0) / 0.5737864, 1.0, 1e-6);
}

TEST(BgNbdTest, SmallProbabilityKeepsRelativePrecision) {
  EXPECT_NEAR(prob_purchases(kCdnow, 2.0, 10) / 1.07869e-07, 1.0, 1e-5);
}

TEST(BgNbdTest, NewCustomerExpectationMatchesPaper) {
  // The published figures come from the unrounded CDNOW fit (r = 0.242593, ...); rounding r to
  // 0.243 alone moves E[X(t)] by up to 0.17%, so allow 0.2% plus the 4-decimal rounding.
  const std::vector<std::pair<double, double>> published{{0.1429, 0.0078}, {1.0, 0.0532},
                                                         {3.0, 0.1506},    {31.8571, 1.0405},
                                                         {32.0, 1.0437},   {78.0, 1.8576}};
  for (const auto& [t, want] : published) {
    EXPECT_NEAR(expected_purchases_new(kCdnow, t), want, 5e-5 + 2e-3 * want) << t;
  }
}

TEST(BgNbdTest, NewCustomerExpectationMatchesHighPrecisionReference) {
  // Reference: mpmath (30 digits) evaluating FHL eq. 9 directly at kCdnow.
  const std::vector<std::pair<double, double>> reference{
      {0.1429, 0.0078283475160721631}, {1.0, 0.05326789117165828}, {3.0, 0.15086523089304668},
      {31.8571, 1.0419960608522109},   {32.0, 1.0452433283744438}, {78.0, 1.8605190579427685}};
  for (const auto& [t, want] : reference) {
    EXPECT_NEAR(expected_purchases_new(kCdnow, t) / want, 1.0, 1e-10) << t;
  }
}

TEST(BgNbdTest, ConditionalExpectationMatchesHighPrecisionReference) {
  // Reference: mpmath (30 digits) evaluating FHL eq. 10 directly, covering z near 1, large x,
  // and a > 1 with a + b - 1 > 0.
  struct Case {
    BgNbdParams params;
    double t, x, t_x, T, want;
  };
  const BgNbdParams other{1.7, 30.0, 2.5, 0.8};
  const std::vector<Case> cases{{kCdnow, 1e6, 0.0, 0.0, 40.0, 29.558091532252727},
                                {kCdnow, 1e6, 3.0, 30.0, 40.0, 109.85551195770699},
                                {kCdnow, 1000.0, 50.0, 30.0, 40.0, 0.040319345208855899},
                                {kCdnow, 1e4, 1.0, 5.0, 40.0, 6.8138914807894293},
                                {kCdnow, 365.0, 7.0, 300.0, 360.0, 4.2069497437872469},
                                {other, 2000.0, 0.0, 0.0, 10.0, 1.5216290534392384},
                                {other, 2000.0, 2.0, 5.0, 10.0, 0.87165252377842202}};
  for (const Case& c : cases) {
    EXPECT_NEAR(expected_purchases(c.params, c.t, c.x, c.t_x, c.T) / c.want, 1.0, 1e-8)
        << c.t << " " << c.x;
  }
}

TEST(BgNbdTest, PAliveIsOneWithoutRepeatPurchases) {
  EXPECT_EQ(p_alive(kCdnow, 0.0, 0.0, 52.0), 1.0);
}

TEST(BgNbdTest, PAliveUnderflowsToZeroForLongSilenceAfterManyPurchases) {
  const double p = p_alive(kCdnow, 1000.0, 10.0, 100.0);
  EXPECT_TRUE(std::isfinite(p));
  EXPECT_EQ(p, 0.0);
  const double e = expected_purchases(kCdnow, 52.0, 1000.0, 10.0, 100.0);
  EXPECT_TRUE(std::isfinite(e));
  EXPECT_EQ(e, 0.0);
}

TEST(BgNbdTest, ProbabilitiesSumToOneAndMatchTheMean) {
  double total = 0.0;
  double mean = 0.0;
  for (int n = 0; n < 400; ++n) {
    const double p = prob_purchases(kCdnow, 39.0, n);
    total += p;
    mean += n * p;
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_NEAR(mean, expected_purchases_new(kCdnow, 39.0), 1e-3);
}

TEST(BgNbdTest, ExpectationStaysFiniteForExtremeInputs) {
  for (double t : {1e-6, 1.0, 1e3, 1e6, 1e12}) {
    for (double x : {0.0, 1.0, 50.0, 1000.0}) {
      const double e = expected_purchases(kCdnow, t, x, x > 0.0 ? 30.0 : 0.0, 40.0);
      EXPECT_TRUE(std::isfinite(e)) << t << " " << x;
      EXPECT_GE(e, 0.0) << t << " " << x;
    }
  }
}

TEST(BgNbdTest, ExpectationIsContinuousAcrossAEqualsOne) {
  BgNbdParams below{0.5, 5.0, 1.0 - 1e-3, 3.0};
  BgNbdParams at{0.5, 5.0, 1.0, 3.0};
  BgNbdParams above{0.5, 5.0, 1.0 + 1e-3, 3.0};
  const double mid = expected_purchases(at, 30.0, 3.0, 20.0, 35.0);
  EXPECT_TRUE(std::isfinite(mid));
  EXPECT_NEAR(mid,
              0.5 * (expected_purchases(below, 30.0, 3.0, 20.0, 35.0) +
                     expected_purchases(above, 30.0, 3.0, 20.0, 35.0)),
              1e-6);
}

TEST(BgNbdTest, ExpectationMatchesMonteCarloFreeSmallTLimit) {
  // For t -> 0, E[Y(t)] ~ P(alive) * (r + x) / (alpha + T) * t.
  const double t = 1e-4;
  const double want =
      p_alive(kCdnow, 4.0, 20.0, 30.0) * (kCdnow.r + 4.0) / (kCdnow.alpha + 30.0) * t;
  EXPECT_NEAR(expected_purchases(kCdnow, t, 4.0, 20.0, 30.0) / want, 1.0, 1e-3);
}

TEST(BgNbdTest, TotalLikelihoodIsSumOfCustomers) {
  const std::vector<RfmSummary> customers{{0.0, 0.0, 30.0}, {2.0, 10.0, 38.0}, {7.0, 35.0, 36.0}};
  double sum = 0.0;
  for (const RfmSummary& c : customers) {
    const double ll = bgnbd_log_likelihood(kCdnow, c);
    EXPECT_TRUE(std::isfinite(ll));
    EXPECT_LT(ll, 0.0);
    sum += ll;
  }
  EXPECT_DOUBLE_EQ(bgnbd_log_likelihood(kCdnow, customers), sum);
}

TEST(BgNbdTest, FitRejectsEmptyAndInvalidInput) {
  EXPECT_EQ(fit_bgnbd({}).error().code, "empty_input");
  const std::vector<RfmSummary> bad{{1.0, 5.0, 4.0}};
  EXPECT_EQ(fit_bgnbd(bad).error().code, "invalid_summary");
}

TEST(BgNbdTest, FitReportsNonConvergence) {
  const std::vector<RfmSummary> customers{{0.0, 0.0, 30.0}, {2.0, 10.0, 38.0}};
  FitOptions options;
  options.max_evals = 3;
  EXPECT_EQ(fit_bgnbd(customers, options).error().code, "fit_failed");
}

// Simulated customers, time unit weeks, observed for 26..52 weeks at day resolution.
std::vector<RfmSummary> simulate_weeks(const BgNbdParams& truth, int n, uint64_t seed) {
  SimRng rng(seed);
  std::vector<RfmSummary> customers;
  customers.reserve(n);
  for (int i = 0; i < n; ++i) {
    const double T_days = 182.0 + std::floor(rng.uniform() * 183.0);
    RfmSummary c = simulate_bgnbd_customer(truth, T_days / 7.0, rng);
    c.t_x = std::floor(c.t_x * 7.0) / 7.0;
    customers.push_back(c);
  }
  return customers;
}

TEST(BgNbdTest, RecoversSimulatedParameters) {
  const auto customers = simulate_weeks(kCdnow, 20000, 42);
  const auto fit = fit_bgnbd(customers);
  ASSERT_TRUE(fit.has_value()) << fit.error().message;
  EXPECT_EQ(fit->n, customers.size());
  // Tolerances: about 4 asymptotic standard errors at n = 20000 (see MODELS.md).
  // Standard errors there: r 0.0040, alpha 0.123, a 0.058, b 0.228.
  EXPECT_NEAR(fit->params.r, kCdnow.r, 0.016);
  EXPECT_NEAR(fit->params.alpha, kCdnow.alpha, 0.5);
  EXPECT_NEAR(fit->params.a, kCdnow.a, 0.23);
  EXPECT_NEAR(fit->params.b, kCdnow.b, 0.92);
  // The optimum must be at least as likely as the truth.
  EXPECT_GE(fit->log_likelihood, bgnbd_log_likelihood(kCdnow, customers) - 1e-6);
  EXPECT_NEAR(fit->log_likelihood, bgnbd_log_likelihood(fit->params, customers), 1e-6);
}

}  // namespace
}  // namespace segd::core::models
