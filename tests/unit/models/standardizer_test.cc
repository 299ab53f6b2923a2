#include "core/models/standardizer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace segd::core::models {
namespace {

TEST(StandardizerTest, FitsPopulationMeanAndDeviation) {
  const std::vector<Point> points = {{1.0, 10.0}, {2.0, 10.0}, {3.0, 30.0}, {4.0, 30.0}};
  const auto fit = fit_standardizer(points);
  ASSERT_TRUE(fit.has_value());
  EXPECT_DOUBLE_EQ(fit->mean[0], 2.5);
  EXPECT_DOUBLE_EQ(fit->mean[1], 20.0);
  EXPECT_DOUBLE_EQ(fit->scale[0], std::sqrt(1.25));  // population, not sample, deviation
  EXPECT_DOUBLE_EQ(fit->scale[1], 10.0);
}

TEST(StandardizerTest, TransformedDataHasZeroMeanUnitDeviation) {
  const std::vector<Point> points = {{1.0, -3.0}, {4.0, 0.5}, {9.0, 2.0}, {16.0, 7.5}, {25.0, 1.0}};
  const auto fit = fit_standardizer(points);
  ASSERT_TRUE(fit.has_value());
  const auto z = standardize_all(*fit, points);
  const auto refit = fit_standardizer(z);
  ASSERT_TRUE(refit.has_value());
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(refit->mean[j], 0.0, 1e-12);
    EXPECT_NEAR(refit->scale[j], 1.0, 1e-12);
  }
}

TEST(StandardizerTest, ConstantDimensionGetsUnitScale) {
  const std::vector<Point> points = {{0.1, 1.0}, {0.1, 2.0}, {0.1, 3.0}};
  const auto fit = fit_standardizer(points);
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(fit->mean[0], 0.1);
  EXPECT_EQ(fit->scale[0], 1.0);
  EXPECT_EQ(standardize(*fit, points[1])[0], 0.0);
}

TEST(StandardizerTest, UnstandardizeInvertsStandardize) {
  const Standardizer s{{3.0, -1.0, 0.0}, {2.0, 0.5, 1.0}};
  const Point x = {7.0, -2.0, 4.0};
  const Point z = standardize(s, x);
  EXPECT_EQ(z, (Point{2.0, -2.0, 4.0}));
  EXPECT_EQ(unstandardize(s, z), x);
}

TEST(StandardizerTest, IsAComparableValue) {
  const std::vector<Point> points = {{1.0}, {2.0}, {6.0}};
  const auto a = fit_standardizer(points);
  const auto b = fit_standardizer(points);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, *b);
  Standardizer changed = *a;
  changed.scale[0] += 1.0;
  EXPECT_NE(*a, changed);
}

TEST(StandardizerTest, RejectsBadInput) {
  EXPECT_EQ(fit_standardizer({}).error().code, "empty_points");
  const std::vector<Point> ragged = {{1.0}, {1.0, 2.0}};
  EXPECT_EQ(fit_standardizer(ragged).error().code, "dimension_mismatch");
  const std::vector<Point> inf = {{INFINITY}};
  EXPECT_EQ(fit_standardizer(inf).error().code, "non_finite_value");
}

}  // namespace
}  // namespace segd::core::models
