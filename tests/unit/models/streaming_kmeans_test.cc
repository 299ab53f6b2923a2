#include "core/models/streaming_kmeans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>

#include "blobs.h"
#include "core/models/cluster_metrics.h"
#include "core/models/lloyd_kmeans.h"

namespace segd::core::models {
namespace {

StreamingKMeans make_model(const StreamingKMeansConfig& config) {
  auto model = StreamingKMeans::create(config);
  EXPECT_TRUE(model.has_value());
  return std::move(*model);
}

StreamingKMeans train(const Blobs& blobs, std::size_t batch_size, double decay) {
  StreamingKMeans model = make_model({.k = 6, .decay_factor = decay});
  const std::span<const Point> all(blobs.points);
  for (std::size_t start = 0; start < all.size(); start += batch_size) {
    const auto stats = model.update(all.subspan(start, std::min(batch_size, all.size() - start)));
    EXPECT_TRUE(stats.has_value());
  }
  return model;
}

std::vector<int> labels_of(const StreamingKMeans& model, const std::vector<Point>& points) {
  std::vector<int> out;
  for (const Point& p : points) {
    out.push_back(static_cast<int>(model.assign(p).cluster));
  }
  return out;
}

TEST(StreamingKMeansTest, RecoversSeparatedBlobs) {
  const Blobs blobs = make_blobs(3000, 7);
  const StreamingKMeans model = train(blobs, 300, 0.9);
  EXPECT_GE(adjusted_rand_index(blobs.truth, labels_of(model, blobs.points)), 0.95);
  double total = 0.0;
  for (double w : model.state().weights) {
    total += w;
  }
  // Geometric sum of 10 batches of 300 decayed by 0.9: 300 * (1 - 0.9^10) / 0.1.
  EXPECT_NEAR(total, 300.0 * (1.0 - std::pow(0.9, 10)) / 0.1, 1e-6);
}

TEST(StreamingKMeansTest, SameInputGivesIdenticalBytes) {
  const Blobs blobs = make_blobs(1000, 13);
  const StreamingKMeans a = train(blobs, 100, 0.8);
  const StreamingKMeans b = train(blobs, 100, 0.8);
  ASSERT_EQ(a.state().centroids.size(), 6U);
  for (std::size_t c = 0; c < 6; ++c) {
    EXPECT_EQ(std::memcmp(a.state().centroids[c].data(), b.state().centroids[c].data(),
                          a.state().centroids[c].size() * sizeof(double)),
              0);
  }
  EXPECT_EQ(a.state(), b.state());
}

TEST(StreamingKMeansTest, AppliesSparkUpdateRule) {
  const StreamingKMeansConfig config{.k = 2, .decay_factor = 0.5};
  auto model = StreamingKMeans::from_state(config, {{{0.0, 0.0}, {10.0, 10.0}}, {2.0, 3.0}});
  ASSERT_TRUE(model.has_value());
  const std::vector<Point> batch = {{1.0, 1.0}, {1.0, -1.0}};
  const auto stats = model->update(batch);
  ASSERT_TRUE(stats.has_value());
  EXPECT_FALSE(stats->split.has_value());
  // Cluster 0: n*a = 1, m = 2, mean (1, 0): c' = (0*1 + (1,0)*2) / 3, n' = 3.
  EXPECT_DOUBLE_EQ(model->state().weights[0], 3.0);
  EXPECT_DOUBLE_EQ(model->state().centroids[0][0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(model->state().centroids[0][1], 0.0);
  // Cluster 1 got no points: only its weight decays.
  EXPECT_DOUBLE_EQ(model->state().weights[1], 1.5);
  EXPECT_EQ(model->state().centroids[1], (Point{10.0, 10.0}));
}

TEST(StreamingKMeansTest, HalfLifeInBatchesHalvesWeightAfterEmptyBatches) {
  const auto decay = decay_for_half_life(5.0);
  ASSERT_TRUE(decay.has_value());
  const StreamingKMeansConfig config{.k = 3, .decay_factor = *decay};
  auto model = StreamingKMeans::from_state(config, {{{0.0}, {5.0}, {9.0}}, {100.0, 80.0, 60.0}});
  ASSERT_TRUE(model.has_value());
  for (int batch = 0; batch < 5; ++batch) {
    ASSERT_TRUE(model->update({}).has_value());
  }
  EXPECT_NEAR(model->state().weights[0], 50.0, 1e-12);
  EXPECT_NEAR(model->state().weights[1], 40.0, 1e-12);
  EXPECT_NEAR(model->state().weights[2], 30.0, 1e-12);
  EXPECT_EQ(model->state().centroids[1], (Point{5.0}));
}

TEST(StreamingKMeansTest, HalfLifeInPointsDecaysPerPoint) {
  const auto decay = decay_for_half_life(4.0);
  ASSERT_TRUE(decay.has_value());
  const StreamingKMeansConfig config{
      .k = 2, .decay_factor = *decay, .decay_unit = DecayUnit::kPoints};
  auto model = StreamingKMeans::from_state(config, {{{0.0}, {100.0}}, {10.0, 64.0}});
  ASSERT_TRUE(model.has_value());
  // Four points, all near cluster 0: cluster 1 sees a^4 = 1/2.
  const std::vector<Point> batch = {{1.0}, {-1.0}, {2.0}, {-2.0}};
  ASSERT_TRUE(model->update(batch).has_value());
  EXPECT_NEAR(model->state().weights[1], 32.0, 1e-12);
  EXPECT_NEAR(model->state().weights[0], 5.0 + 4.0, 1e-12);
  // An empty batch holds no points, so nothing decays.
  ASSERT_TRUE(model->update({}).has_value());
  EXPECT_NEAR(model->state().weights[1], 32.0, 1e-12);
}

TEST(StreamingKMeansTest, SplitsLargestClusterWhenSmallestIsDying) {
  const StreamingKMeansConfig config{.k = 3};
  auto model = StreamingKMeans::from_state(
      config, {{{2.0, -0.5}, {50.0, 50.0}, {-7.0, 3.0}}, {100.0, 1e-7, 50.0}});
  ASSERT_TRUE(model.has_value());
  const auto stats = model->update({});
  ASSERT_TRUE(stats.has_value());
  ASSERT_TRUE(stats->split.has_value());
  EXPECT_EQ(*stats->split, (ClusterSplit{0, 1}));
  const double shared = (100.0 + 1e-7) / 2.0;
  EXPECT_EQ(model->state().weights, (std::vector<double>{shared, shared, 50.0}));
  // Perturbation 1e-14 * max(|x|, 1): the two halves straddle the old centroid.
  EXPECT_EQ(model->state().centroids[0], (Point{2.0 + 2e-14, -0.5 + 1e-14}));
  EXPECT_EQ(model->state().centroids[1], (Point{2.0 - 2e-14, -0.5 - 1e-14}));
  EXPECT_EQ(model->state().centroids[2], (Point{-7.0, 3.0}));
}

TEST(StreamingKMeansTest, StarvedClusterIsSplitAfterDecay) {
  const StreamingKMeansConfig config{.k = 2, .decay_factor = 0.01};
  auto model = StreamingKMeans::from_state(config, {{{0.0}, {100.0}}, {1.0, 1.0}});
  ASSERT_TRUE(model.has_value());
  const std::vector<Point> batch = {{0.5}, {-0.5}};
  std::optional<ClusterSplit> split;
  int updates = 0;
  while (!split && updates < 10) {
    const auto stats = model->update(batch);
    ASSERT_TRUE(stats.has_value());
    split = stats->split;
    ++updates;
  }
  // Cluster 1 decays to 0.01^u after u batches while cluster 0 stays near 2.02, so it dies on the
  // fourth: 1e-8 < 1e-8 * 2.02.
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(*split, (ClusterSplit{0, 1}));
  EXPECT_EQ(updates, 4);
  EXPECT_LT(std::abs(model->state().centroids[1][0]), 1.0);
}

TEST(StreamingKMeansTest, RefitKeepsStableIdsAfterMatching) {
  const Blobs blobs = make_blobs(3000, 31);
  const StreamingKMeans model = train(blobs, 500, 1.0);
  const Blobs moved = make_blobs(1200, 32, 0.3);
  const auto refit = lloyd_kmeans(moved.points, 6, 100, 5);
  ASSERT_TRUE(refit.has_value());
  const auto relabeling = match_centroids(model.state().centroids, refit->centroids);
  ASSERT_TRUE(relabeling.has_value());
  const auto stable = apply_relabeling<Point>(refit->centroids, *relabeling);
  std::size_t same = 0;
  for (const Point& p : moved.points) {
    same += model.assign(p).cluster == nearest_centroid(stable, p).cluster;
  }
  EXPECT_GE(same, 1190U);
}

TEST(StreamingKMeansTest, ReportsBadInputAndKeepsState) {
  EXPECT_EQ(StreamingKMeans::create({.k = 0}).error().code, "bad_k");
  EXPECT_EQ(StreamingKMeans::create({.decay_factor = 0.0}).error().code, "bad_decay_factor");
  EXPECT_EQ(StreamingKMeans::create({.decay_factor = 1.5}).error().code, "bad_decay_factor");
  EXPECT_EQ(decay_for_half_life(0.0).error().code, "bad_half_life");
  EXPECT_EQ(StreamingKMeans::from_state({.k = 2}, {{{0.0}}, {1.0}}).error().code, "bad_state");

  StreamingKMeans model = make_model({.k = 3});
  const std::vector<Point> two = {{0.0}, {1.0}};
  EXPECT_EQ(model.update(two).error().code, "too_few_points");
  EXPECT_FALSE(model.initialised());
  const std::vector<Point> three = {{0.0}, {1.0}, {2.0}};
  const auto first = model.update(three);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->initialised);
  const StreamingKMeansState before = model.state();
  const std::vector<Point> wide = {{0.0, 1.0}};
  EXPECT_EQ(model.update(wide).error().code, "dimension_mismatch");
  EXPECT_EQ(model.state(), before);
}

}  // namespace
}  // namespace segd::core::models
