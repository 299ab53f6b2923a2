#include "core/models/model_snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/models/rfm.h"

namespace segd::core::models {
namespace {

ModelSnapshot valid_snapshot() {
  ModelSnapshot s;
  s.version = 3;
  s.active_from_ms = 1767225600000;
  s.bgnbd = {0.24, 4.4, 0.79, 2.4};
  s.gamma_gamma = {6.25, 3.74, 15.44};
  s.standardizer = {{1.0, 2.0}, {0.5, 1.0}};
  s.centroids = {{0.0, 1.0}, {-1.0, 0.5}};
  s.centroid_weights = {10.0, 4.0};
  s.rfm = {{1, 2, 3, 4}, {1, 1, 2, 3}, {10, 20, 30, 40}};
  return s;
}

TEST(ModelSnapshotTest, ValidSnapshotPassesAndCopiesCompareEqual) {
  const ModelSnapshot s = valid_snapshot();
  EXPECT_TRUE(validate_snapshot(s).has_value());
  ModelSnapshot copy = s;
  EXPECT_EQ(copy, s);
  copy.centroids[1][0] = -1.5;
  EXPECT_NE(copy, s);
}

TEST(ModelSnapshotTest, ValidateRejectsBrokenParts) {
  const auto rejects = [](void (*mutate)(ModelSnapshot&)) {
    ModelSnapshot s = valid_snapshot();
    mutate(s);
    auto r = validate_snapshot(s);
    return !r.has_value() && r.error().code == "invalid_model";
  };
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.version = 0; }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.bgnbd.alpha = 0.0; }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.gamma_gamma.q = std::nan(""); }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.standardizer.scale[1] = 0.0; }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.centroids[0].push_back(1.0); }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.centroid_weights.pop_back(); }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.centroid_weights[0] = -1.0; }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.rfm.monetary = {10, 5, 30, 40}; }));
  EXPECT_TRUE(rejects([](ModelSnapshot& s) { s.centroids.clear(); }));
}

TEST(ModelSnapshotTest, DaysPerUnit) {
  EXPECT_EQ(days_per_unit(TimeUnit::kDay), 1.0);
  EXPECT_EQ(days_per_unit(TimeUnit::kWeek), 7.0);
}

TEST(RfmTest, QuintileCutsUseNearestRank) {
  const std::vector<double> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(quintile_cuts(ten), (QuintileCuts{2, 4, 6, 8}));
  // n = 7: ranks ceil(7i/5) = 2, 3, 5, 6.
  const std::vector<double> seven = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(quintile_cuts(seven), (QuintileCuts{2, 3, 5, 6}));
  const std::vector<double> one = {42};
  EXPECT_EQ(quintile_cuts(one), (QuintileCuts{42, 42, 42, 42}));
  EXPECT_EQ(quintile_cuts({}), (QuintileCuts{0, 0, 0, 0}));
  const std::vector<double> with_nan = {std::nan(""), 3, 1, 2, 4, 5};
  EXPECT_EQ(quintile_cuts(with_nan), (QuintileCuts{1, 2, 3, 4}));
}

// The cuts are order statistics: the same as reading them off a fully sorted copy, ties included.
TEST(RfmTest, QuintileCutsMatchASortedCopy) {
  for (const size_t n : {2, 5, 6, 999, 1003}) {
    std::vector<double> values;
    uint64_t x = 88172645463325252ULL + n;
    for (size_t i = 0; i < n; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      values.push_back(static_cast<double>(x % 21));  // Many ties.
    }
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    QuintileCuts expected{};
    for (size_t i = 1; i <= 4; ++i) {
      expected[i - 1] = sorted[std::max<size_t>((i * n + 4) / 5, 1) - 1];
    }
    EXPECT_EQ(quintile_cuts(values), expected) << "n = " << n;
  }
}

TEST(RfmTest, ScoresAtTheCutEdges) {
  const QuintileCuts cuts{2, 4, 6, 8};
  const auto up = RfmDirection::kHigherIsBetter;
  const auto down = RfmDirection::kLowerIsBetter;
  EXPECT_EQ(rfm_score(cuts, 1, up), 1);
  EXPECT_EQ(rfm_score(cuts, 2, up), 1);  // Equal to a cut: the lower quintile.
  EXPECT_EQ(rfm_score(cuts, 2.5, up), 2);
  EXPECT_EQ(rfm_score(cuts, 8, up), 4);
  EXPECT_EQ(rfm_score(cuts, 8.01, up), 5);
  EXPECT_EQ(rfm_score(cuts, 0, down), 5);  // Bought today: most recent.
  EXPECT_EQ(rfm_score(cuts, 2, down), 5);
  EXPECT_EQ(rfm_score(cuts, 3, down), 4);
  EXPECT_EQ(rfm_score(cuts, 100, down), 1);
  EXPECT_TRUE(std::isnan(rfm_score(cuts, std::nan(""), up)));
}

TEST(RfmTest, TiedCutsCollapseQuintiles) {
  // Most customers bought once: all cuts 1, so 1 order scores 1 and 2 orders score 5.
  const QuintileCuts cuts{1, 1, 1, 1};
  EXPECT_EQ(rfm_score(cuts, 1, RfmDirection::kHigherIsBetter), 1);
  EXPECT_EQ(rfm_score(cuts, 2, RfmDirection::kHigherIsBetter), 5);
}

}  // namespace
}  // namespace segd::core::models
