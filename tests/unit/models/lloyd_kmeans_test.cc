#include "core/models/lloyd_kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "blobs.h"
#include "core/models/cluster_metrics.h"

namespace segd::core::models {
namespace {

std::vector<int> as_ints(const std::vector<std::size_t>& ids) { return {ids.begin(), ids.end()}; }

TEST(LloydKMeansTest, RecoversSeparatedBlobs) {
  const Blobs blobs = make_blobs(600, 7);
  const auto fit = lloyd_kmeans(blobs.points, 6, 100, 42);
  ASSERT_TRUE(fit.has_value()) << fit.error().message;
  EXPECT_GE(adjusted_rand_index(blobs.truth, as_ints(fit->assignments)), 0.95);
  EXPECT_LT(fit->iterations, 100U);
  // Unit variance in 4-D: inertia per point is about 4.
  EXPECT_NEAR(fit->inertia / 600.0, 4.0, 0.6);
}

TEST(LloydKMeansTest, SameInputGivesIdenticalBytes) {
  const Blobs blobs = make_blobs(500, 11);
  const auto first = lloyd_kmeans(blobs.points, 6, 50, 3);
  const auto second = lloyd_kmeans(blobs.points, 6, 50, 3);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(first->centroids.size(), second->centroids.size());
  for (std::size_t c = 0; c < first->centroids.size(); ++c) {
    EXPECT_EQ(std::memcmp(first->centroids[c].data(), second->centroids[c].data(),
                          first->centroids[c].size() * sizeof(double)),
              0);
  }
  EXPECT_EQ(*first, *second);
}

TEST(LloydKMeansTest, InertiaIsSumOfSquaredDistances) {
  const Blobs blobs = make_blobs(300, 5);
  const auto fit = lloyd_kmeans(blobs.points, 6, 100, 1);
  ASSERT_TRUE(fit.has_value());
  double sum = 0.0;
  for (std::size_t i = 0; i < blobs.points.size(); ++i) {
    sum += squared_distance(blobs.points[i], fit->centroids[fit->assignments[i]]);
    EXPECT_EQ(fit->assignments[i], nearest_centroid(fit->centroids, blobs.points[i]).cluster);
  }
  EXPECT_DOUBLE_EQ(fit->inertia, sum);
}

TEST(LloydKMeansTest, FillsEmptyClusterWhenPointsRepeat) {
  // Two distinct values for three clusters: seeding must repeat a point, leaving a cluster empty.
  const std::vector<Point> points = {{0.0}, {0.0}, {0.0}, {10.0}, {10.0}};
  const auto fit = lloyd_kmeans(points, 3, 20, 9);
  ASSERT_TRUE(fit.has_value());
  std::vector<int> sizes(3, 0);
  for (std::size_t c : fit->assignments) {
    ++sizes[c];
  }
  for (int size : sizes) {
    EXPECT_GE(size, 1);
  }
  EXPECT_DOUBLE_EQ(fit->inertia, 0.0);
  EXPECT_EQ(*fit, *lloyd_kmeans(points, 3, 20, 9));
}

TEST(LloydKMeansTest, RefitOnMovedDataKeepsIdsAfterMatching) {
  const Blobs before = make_blobs(600, 21);
  const Blobs after = make_blobs(600, 22, 0.3);
  const auto old_fit = lloyd_kmeans(before.points, 6, 100, 1);
  const auto new_fit = lloyd_kmeans(after.points, 6, 100, 99);
  ASSERT_TRUE(old_fit.has_value());
  ASSERT_TRUE(new_fit.has_value());
  const auto relabeling = match_centroids(old_fit->centroids, new_fit->centroids);
  ASSERT_TRUE(relabeling.has_value());
  const auto stable = apply_relabeling<Point>(new_fit->centroids, *relabeling);
  for (std::size_t c = 0; c < stable.size(); ++c) {
    // Each stable centroid sits next to the old centroid of the same id (moved by about 0.6).
    EXPECT_LT(std::sqrt(squared_distance(stable[c], old_fit->centroids[c])), 1.5) << c;
  }
  // Scoring the new data with old and with relabelled new centroids gives the same ids.
  std::size_t same = 0;
  for (const Point& p : after.points) {
    same += nearest_centroid(old_fit->centroids, p).cluster == nearest_centroid(stable, p).cluster;
  }
  EXPECT_GE(same, 590U);
  EXPECT_EQ(relabel_ids(new_fit->assignments, *relabeling).size(), after.points.size());
}

TEST(LloydKMeansTest, RejectsBadInput) {
  const std::vector<Point> points = {{1.0, 2.0}, {3.0, 4.0}};
  EXPECT_EQ(lloyd_kmeans(points, 3, 10, 0).error().code, "bad_k");
  EXPECT_EQ(lloyd_kmeans(points, 0, 10, 0).error().code, "bad_k");
  EXPECT_EQ(lloyd_kmeans(points, 2, 0, 0).error().code, "bad_max_iter");
  EXPECT_EQ(lloyd_kmeans({}, 1, 10, 0).error().code, "empty_points");
  const std::vector<Point> ragged = {{1.0, 2.0}, {3.0}};
  EXPECT_EQ(lloyd_kmeans(ragged, 1, 10, 0).error().code, "dimension_mismatch");
  const std::vector<Point> nan = {{1.0, NAN}};
  EXPECT_EQ(lloyd_kmeans(nan, 1, 10, 0).error().code, "non_finite_value");
}

TEST(KMeansPlusPlusTest, SeedingIsDeterministicAndPicksInputPoints) {
  const Blobs blobs = make_blobs(200, 4);
  const auto a = kmeans_pp_init(blobs.points, 6, 77);
  const auto b = kmeans_pp_init(blobs.points, 6, 77);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, *b);
  for (const Point& c : *a) {
    EXPECT_NE(std::find(blobs.points.begin(), blobs.points.end(), c), blobs.points.end());
  }
  // Well-separated blobs: D^2 sampling puts each centre in a different blob.
  std::vector<int> blob_of_centre;
  for (const Point& c : *a) {
    const auto it = std::find(blobs.points.begin(), blobs.points.end(), c);
    blob_of_centre.push_back(blobs.truth[static_cast<std::size_t>(it - blobs.points.begin())]);
  }
  std::sort(blob_of_centre.begin(), blob_of_centre.end());
  EXPECT_EQ(std::unique(blob_of_centre.begin(), blob_of_centre.end()), blob_of_centre.end());
}

TEST(KMeansPlusPlusTest, SplitMixMatchesReferenceSequence) {
  // First outputs of splitmix64 seeded with 0 (reference implementation by S. Vigna).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(rng.next(), 0x06c45d188009454fULL);
}

TEST(KMeansPlusPlusTest, HashIgnoresSignOfZeroAndSeesValues) {
  const std::vector<Point> a = {{0.0, 1.0}};
  const std::vector<Point> b = {{-0.0, 1.0}};
  const std::vector<Point> c = {{0.0, 1.5}};
  EXPECT_EQ(hash_points(a), hash_points(b));
  EXPECT_NE(hash_points(a), hash_points(c));
}

}  // namespace
}  // namespace segd::core::models
