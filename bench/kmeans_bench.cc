// Clustering costs: per-point scoring (nearest centroid), a streaming update over 1M points and
// an offline Lloyd fit on 100k points; d = 10, k = 6, synthetic Gaussian blobs.
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <span>
#include <vector>

#include "core/models/kmeans_pp.h"
#include "core/models/lloyd_kmeans.h"
#include "core/models/streaming_kmeans.h"

namespace segd::core::models {
namespace {

constexpr std::size_t kDim = 10;
constexpr std::size_t kClusters = 6;

std::vector<Point> make_points(std::size_t n, std::uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<Point> centres(kClusters, Point(kDim));
  for (Point& c : centres) {
    for (double& v : c) {
      v = rng.next_unit() * 20.0 - 10.0;
    }
  }
  std::vector<Point> points;
  points.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Point p = centres[rng.next_below(kClusters)];
    for (double& v : p) {
      const double u1 = 1.0 - rng.next_unit();
      const double u2 = rng.next_unit();
      v += std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    points.push_back(std::move(p));
  }
  return points;
}

void BM_AssignPoint(benchmark::State& state) {
  const std::vector<Point> points = make_points(4096, 1);
  const auto fit = lloyd_kmeans(points, kClusters, 50, 1);
  if (!fit) {
    state.SkipWithError("fit failed");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nearest_centroid(fit->centroids, points[i]));
    i = (i + 1) % points.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssignPoint);

// One iteration folds 1M points in batches of range(0) points into a model seeded beforehand.
void BM_StreamingUpdate1M(benchmark::State& state) {
  const std::vector<Point> points = make_points(1'000'000, 2);
  const auto batch = static_cast<std::size_t>(state.range(0));
  const std::span<const Point> all(points);
  for (auto _ : state) {
    state.PauseTiming();
    auto model = StreamingKMeans::create({.k = kClusters, .decay_factor = 0.99});
    if (!model || !model->update(all.first(1000))) {
      state.SkipWithError("init failed");
      return;
    }
    state.ResumeTiming();
    for (std::size_t start = 0; start < all.size(); start += batch) {
      auto stats = model->update(all.subspan(start, std::min(batch, all.size() - start)));
      benchmark::DoNotOptimize(stats);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points.size()));
}
BENCHMARK(BM_StreamingUpdate1M)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Lloyd100k(benchmark::State& state) {
  const std::vector<Point> points = make_points(100'000, 3);
  std::size_t iterations = 0;
  for (auto _ : state) {
    auto fit = lloyd_kmeans(points, kClusters, 100, 7);
    iterations = fit ? fit->iterations : 0;
    benchmark::DoNotOptimize(fit);
  }
  state.counters["lloyd_iterations"] = static_cast<double>(iterations);
}
BENCHMARK(BM_Lloyd100k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segd::core::models

BENCHMARK_MAIN();
