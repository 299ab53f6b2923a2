// train() on 1M synthetic customers and ModelScorer::score per call.
// Run: build-<tag>/bin/scoring_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <vector>

#include "core/features/feature_values.h"
#include "core/models/standardizer.h"
#include "core/models/streaming_kmeans.h"
#include "core/scoring/model_scorer.h"
#include "core/scoring/synthetic_customers.h"
#include "core/scoring/trainer.h"

namespace {

using segd::core::CustomerState;
using segd::core::FeatureVector;
using segd::core::TimestampMs;
namespace scoring = segd::core::scoring;

const TimestampMs kAsOf{1767225600000 + 400 * segd::core::kMsPerDay};

const std::vector<CustomerState>& population() {
  static const std::vector<CustomerState> customers =
      scoring::synthetic_customers(1'000'000, 42, kAsOf);
  return customers;
}

void BM_Train1M(benchmark::State& state) {
  const auto& customers = population();
  for (auto _ : state) {
    auto snapshot = scoring::train(customers, kAsOf, scoring::TrainOptions{}, nullptr);
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_Train1M)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The feature pass alone (compute_features + cluster_features for every customer).
void BM_ExtractTrainingSet1M(benchmark::State& state) {
  const auto& customers = population();
  for (auto _ : state) {
    auto set = scoring::extract_training_set(customers, kAsOf, segd::core::models::TimeUnit::kDay);
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_ExtractTrainingSet1M)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The k-means part alone on the same standardized vectors (4 inits x 10 passes).
void BM_ClusterOnly1M(benchmark::State& state) {
  const auto set =
      scoring::extract_training_set(population(), kAsOf, segd::core::models::TimeUnit::kDay);
  auto standardizer = segd::core::models::fit_standardizer(set.cluster_vectors);
  const auto z = segd::core::models::standardize_all(*standardizer, set.cluster_vectors);
  for (auto _ : state) {
    auto model = segd::core::models::StreamingKMeans::create({.k = 5, .decay_factor = 0.5});
    for (int init = 0; init < 4; ++init) {
      model = segd::core::models::StreamingKMeans::create({.k = 5, .decay_factor = 0.5});
      for (int pass = 0; pass < 10; ++pass) {
        benchmark::DoNotOptimize(model->update(z));
      }
    }
  }
}
BENCHMARK(BM_ClusterOnly1M)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// One ModelScorer::score call (features precomputed, as the engine does), over 4096 customers.
void BM_Score(benchmark::State& state) {
  const auto& all = population();
  const std::vector<CustomerState> customers(all.begin(), all.begin() + 100'000);
  auto snapshot = scoring::train(customers, kAsOf, scoring::TrainOptions{}, nullptr);
  auto scorer = scoring::ModelScorer::create(*snapshot);
  std::vector<FeatureVector> features;
  for (size_t i = 0; i < 4096; ++i) {
    features.push_back(segd::core::compute_features(customers[i], kAsOf));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*scorer)->score(customers[i], features[i], kAsOf));
    i = (i + 1) & 4095;
  }
}
BENCHMARK(BM_Score);

}  // namespace

BENCHMARK_MAIN();
