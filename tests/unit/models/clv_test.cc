#include "core/models/clv.h"

#include <gtest/gtest.h>

#include <cmath>

namespace segd::core::models {
namespace {

constexpr BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};
constexpr GammaGammaParams kCdnowSpend{6.25, 3.74, 15.44};
constexpr RfmSummary kCustomer{4.0, 30.0, 38.0};
constexpr SpendSummary kValues{kCustomer.x, 25.0};

TEST(ClvTest, MatchesHandComputedDiscountedSum) {
  // Four quarters of 13 weeks at 1% per week, from the building blocks.
  const double value = expected_order_value(kCdnowSpend, kCustomer.x, 25.0);
  double want = 0.0;
  double previous = 0.0;
  for (int k = 1; k <= 4; ++k) {
    const double t = 13.0 * k;
    const double cumulative =
        expected_purchases(kCdnow, t, kCustomer.x, kCustomer.t_x, kCustomer.T);
    want += (cumulative - previous) * value / std::pow(1.01, t);
    previous = cumulative;
  }
  EXPECT_NEAR(clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.01, 4), want, 1e-12 * want);
  EXPECT_GT(want, 0.0);
}

TEST(ClvTest, WithoutDiscountTelescopesToExpectedPurchasesTimesValue) {
  const double want = expected_purchases(kCdnow, 52.0, kCustomer.x, kCustomer.t_x, kCustomer.T) *
                      expected_order_value(kCdnowSpend, kCustomer.x, 25.0);
  EXPECT_NEAR(clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.0, 12), want, 1e-12 * want);
}

TEST(ClvTest, DiscountingLowersValueAndMoreStepsConverge) {
  const double coarse = clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.01, 4);
  const double fine = clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.01, 520);
  const double finer = clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.01, 1040);
  EXPECT_LT(coarse, fine);  // End-of-period discounting undervalues with coarse steps.
  EXPECT_NEAR(fine, finer, 1e-3 * finer);
  EXPECT_LT(fine, clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.0, 520));
}

TEST(ClvTest, ZeroForEmptyHorizon) {
  EXPECT_EQ(clv(kCdnow, kCdnowSpend, kCustomer, kValues, 0.0, 0.01, 4), 0.0);
  EXPECT_EQ(clv(kCdnow, kCdnowSpend, kCustomer, kValues, 52.0, 0.01, 0), 0.0);
}

}  // namespace
}  // namespace segd::core::models
