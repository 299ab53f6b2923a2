#include "core/models/cluster_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace segd::core::models {
namespace {

TEST(AdjustedRandIndexTest, IdenticalLabelingsScoreOne) {
  const std::vector<int> labels = {0, 0, 1, 1, 2, 2, 2};
  EXPECT_DOUBLE_EQ(adjusted_rand_index(labels, labels), 1.0);
}

TEST(AdjustedRandIndexTest, PermutedLabelsScoreOne) {
  const std::vector<int> a = {0, 0, 1, 1, 2, 2, 2};
  const std::vector<int> b = {5, 5, -3, -3, 9, 9, 9};
  EXPECT_DOUBLE_EQ(adjusted_rand_index(a, b), 1.0);
}

TEST(AdjustedRandIndexTest, MatchesHandComputedValues) {
  // Contingency [[2,1,0],[0,1,2]]: index 2, row pairs 6, column pairs 3, C(6,2) = 15,
  // expected 6*3/15 = 1.2, max 4.5: ARI = 0.8 / 3.3.
  const std::vector<int> a = {0, 0, 0, 1, 1, 1};
  const std::vector<int> b = {0, 0, 1, 1, 2, 2};
  EXPECT_NEAR(adjusted_rand_index(a, b), 0.8 / 3.3, 1e-12);
  // {0,0,1,1} vs {0,0,1,2}: (1 - 1/3) / (1.5 - 1/3) = 4/7.
  const std::vector<int> c = {0, 0, 1, 1};
  const std::vector<int> d = {0, 0, 1, 2};
  EXPECT_NEAR(adjusted_rand_index(c, d), 4.0 / 7.0, 1e-12);
  // Crossed halves agree less than chance: (0 - 2/3) / (2 - 2/3) = -1/2.
  const std::vector<int> e = {0, 1, 0, 1};
  EXPECT_NEAR(adjusted_rand_index(c, e), -0.5, 1e-12);
}

TEST(AdjustedRandIndexTest, IsSymmetric) {
  const std::vector<int> a = {0, 0, 0, 1, 1, 1, 2, 2};
  const std::vector<int> b = {0, 0, 1, 1, 2, 2, 3, 3};
  EXPECT_DOUBLE_EQ(adjusted_rand_index(a, b), adjusted_rand_index(b, a));
}

TEST(AdjustedRandIndexTest, DegenerateCases) {
  const std::vector<int> one_cluster = {4, 4, 4, 4};
  const std::vector<int> singletons = {0, 1, 2, 3};
  EXPECT_DOUBLE_EQ(adjusted_rand_index(one_cluster, one_cluster), 1.0);
  EXPECT_DOUBLE_EQ(adjusted_rand_index(singletons, singletons), 1.0);
  EXPECT_DOUBLE_EQ(adjusted_rand_index(one_cluster, singletons), 0.0);
  EXPECT_DOUBLE_EQ(adjusted_rand_index({}, {}), 1.0);
}

TEST(MatchCentroidsTest, RecoversAPermutation) {
  const std::vector<Point> previous = {{0, 0}, {10, 0}, {0, 10}, {10, 10}, {5, 5}, {-5, 3}};
  const Relabeling truth = {3, 0, 5, 1, 4, 2};  // fresh i is previous truth[i]
  std::vector<Point> fresh(previous.size());
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    fresh[i] = previous[truth[i]];
    fresh[i][0] += 0.25;  // slightly moved
  }
  const auto relabeling = match_centroids(previous, fresh);
  ASSERT_TRUE(relabeling.has_value());
  EXPECT_EQ(*relabeling, truth);
  const auto stable = apply_relabeling<Point>(fresh, *relabeling);
  for (std::size_t c = 0; c < stable.size(); ++c) {
    EXPECT_DOUBLE_EQ(stable[c][0], previous[c][0] + 0.25);
    EXPECT_DOUBLE_EQ(stable[c][1], previous[c][1]);
  }
  const std::vector<std::size_t> ids = {0, 1, 2};
  EXPECT_EQ(relabel_ids(ids, *relabeling), (std::vector<std::size_t>{3, 0, 5}));
}

TEST(MatchCentroidsTest, IsOptimalNotGreedy) {
  // Costs: f0-p0 16, f0-p1 36, f1-p0 36, f1-p1 256. Greedy (cheapest pair first) takes f0-p0 and
  // is left with f1-p1, total 272; the optimum crosses them for 72.
  const std::vector<Point> previous = {{0.0}, {10.0}};
  const std::vector<Point> fresh = {{4.0}, {-6.0}};
  const auto relabeling = match_centroids(previous, fresh);
  ASSERT_TRUE(relabeling.has_value());
  EXPECT_EQ(*relabeling, (Relabeling{1, 0}));
}

double total_cost(const std::vector<Point>& previous,
                  const std::vector<Point>& fresh,
                  const Relabeling& relabeling) {
  double sum = 0.0;
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    sum += squared_distance(fresh[i], previous[relabeling[i]]);
  }
  return sum;
}

TEST(MatchCentroidsTest, AgreesWithExhaustiveSearch) {
  SplitMix64 rng(123);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t k = 2 + static_cast<std::size_t>(trial % 6);
    std::vector<Point> previous(k, Point(3));
    std::vector<Point> fresh(k, Point(3));
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        previous[i][j] = rng.next_unit() * 10.0;
        fresh[i][j] = rng.next_unit() * 10.0;
      }
    }
    const auto relabeling = match_centroids(previous, fresh);
    ASSERT_TRUE(relabeling.has_value());
    Relabeling perm(k);
    std::iota(perm.begin(), perm.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    do {
      best = std::min(best, total_cost(previous, fresh, perm));
    } while (std::next_permutation(perm.begin(), perm.end()));
    EXPECT_NEAR(total_cost(previous, fresh, *relabeling), best, 1e-9) << "trial " << trial;
  }
}

TEST(MatchCentroidsTest, RejectsMismatchedSets) {
  const std::vector<Point> two = {{0.0}, {1.0}};
  const std::vector<Point> one = {{0.0}};
  EXPECT_EQ(match_centroids(two, one).error().code, "centroid_count_mismatch");
  const std::vector<Point> wide = {{0.0, 1.0}, {1.0, 1.0}};
  EXPECT_EQ(match_centroids(two, wide).error().code, "dimension_mismatch");
}

}  // namespace
}  // namespace segd::core::models
