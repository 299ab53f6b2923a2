#include "core/models/streaming_kmeans.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "core/common/check.h"

namespace segd::core::models {
namespace {

// Spark's thresholds (StreamingKMeansModel.update): a cluster is dying below this fraction of the
// largest weight, and the split moves centroids by this relative amount.
constexpr double kDyingRatio = 1e-8;
constexpr double kSplitPerturbation = 1e-14;
// Guards the division when a cluster's old weight has decayed to 0 and it gets no points.
constexpr double kMinWeight = 1e-16;

[[nodiscard]] Result<void> check_config(const StreamingKMeansConfig& config) {
  if (config.k == 0) {
    return fail("bad_k", "k must be at least 1");
  }
  if (!(config.decay_factor > 0.0 && config.decay_factor <= 1.0)) {
    return fail("bad_decay_factor", "decay factor must be in (0, 1]");
  }
  return {};
}

// a^m by binary exponentiation: a fixed sequence of IEEE multiplications, so unlike std::pow it
// gives the same bits with every libm.
double power(double base, std::size_t exponent) {
  double result = 1.0;
  while (exponent != 0) {
    if ((exponent & 1U) != 0) {
      result *= base;
    }
    base *= base;
    exponent >>= 1U;
  }
  return result;
}

}  // namespace

Result<double> decay_for_half_life(double half_life) {
  if (!(std::isfinite(half_life) && half_life > 0.0)) {
    return fail("bad_half_life", "half-life must be finite and positive");
  }
  return std::exp(std::log(0.5) / half_life);
}

Result<StreamingKMeans> StreamingKMeans::create(const StreamingKMeansConfig& config) {
  if (auto ok = check_config(config); !ok) {
    return std::unexpected(ok.error());
  }
  return StreamingKMeans(config);
}

Result<StreamingKMeans> StreamingKMeans::from_state(const StreamingKMeansConfig& config,
                                                    StreamingKMeansState state) {
  auto model = create(config);
  if (!model) {
    return model;
  }
  if (state.centroids.size() != config.k || state.weights.size() != config.k) {
    return fail("bad_state", "snapshot must hold k centroids and k weights");
  }
  if (auto dim = validate_points(state.centroids); !dim) {
    return std::unexpected(dim.error());
  }
  for (double w : state.weights) {
    if (!(std::isfinite(w) && w >= 0.0)) {
      return fail("bad_state", "weights must be finite and non-negative");
    }
  }
  model->state_ = std::move(state);
  return model;
}

Result<StreamingUpdateStats> StreamingKMeans::update(std::span<const Point> batch) {
  StreamingUpdateStats stats;
  stats.points = batch.size();
  if (batch.empty()) {
    // Spark runs the full update on an empty batch too: the weights decay and may split.
    if (initialised()) {
      fold(batch);
      stats.split = split_dying();
    }
    return stats;
  }
  auto dim = validate_points(batch);
  if (!dim) {
    return std::unexpected(dim.error());
  }
  if (!initialised()) {
    if (auto ok = initialise(batch); !ok) {
      return std::unexpected(ok.error());
    }
    stats.initialised = true;
  } else if (*dim != state_.centroids.front().size()) {
    return fail("dimension_mismatch", "batch dimension " + std::to_string(*dim) +
                                          " differs from the model's " +
                                          std::to_string(state_.centroids.front().size()));
  }
  fold(batch);
  stats.split = split_dying();
  return stats;
}

Assignment StreamingKMeans::assign(const Point& point) const {
  CHECK(initialised());
  return nearest_centroid(state_.centroids, point);
}

Result<void> StreamingKMeans::initialise(std::span<const Point> batch) {
  if (batch.size() < config_.k) {
    return fail("too_few_points", "the first batch must hold at least k points");
  }
  auto centres = kmeans_pp_init(batch, config_.k, config_.seed ^ hash_points(batch));
  if (!centres) {
    return std::unexpected(centres.error());
  }
  state_.centroids = std::move(*centres);
  state_.weights.assign(config_.k, 0.0);
  return {};
}

void StreamingKMeans::fold(std::span<const Point> batch) {
  const std::size_t k = state_.centroids.size();
  const std::size_t dim = state_.centroids.front().size();
  // All points are assigned against the centroids as they were before this batch, like Spark.
  std::vector<Point> sums(k, Point(dim, 0.0));
  std::vector<std::size_t> counts(k, 0);
  for (const Point& p : batch) {
    const std::size_t c = nearest_centroid(state_.centroids, p).cluster;
    for (std::size_t j = 0; j < dim; ++j) {
      sums[c][j] += p[j];
    }
    ++counts[c];
  }
  const double discount = config_.decay_unit == DecayUnit::kBatches
                              ? config_.decay_factor
                              : power(config_.decay_factor, batch.size());
  for (double& w : state_.weights) {
    w *= discount;
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (counts[c] == 0) {
      continue;
    }
    const auto m = static_cast<double>(counts[c]);
    const double updated = state_.weights[c] + m;
    // c' = (1 - lambda) * c + (lambda / m) * sum, lambda = m / (n*d + m): Spark's exact form.
    const double lambda = m / std::max(updated, kMinWeight);
    state_.weights[c] = updated;
    Point& centroid = state_.centroids[c];
    for (std::size_t j = 0; j < dim; ++j) {
      centroid[j] = (1.0 - lambda) * centroid[j] + (lambda / m) * sums[c][j];
    }
  }
}

std::optional<ClusterSplit> StreamingKMeans::split_dying() {
  const auto& w = state_.weights;
  // First maximum and first minimum, as Scala's maxBy/minBy pick them.
  const auto largest = static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin());
  const auto smallest = static_cast<std::size_t>(std::min_element(w.begin(), w.end()) - w.begin());
  if (!(w[smallest] < kDyingRatio * w[largest])) {
    return std::nullopt;
  }
  const double shared = (w[largest] + w[smallest]) / 2.0;
  state_.weights[largest] = shared;
  state_.weights[smallest] = shared;
  Point& big = state_.centroids[largest];
  Point& dying = state_.centroids[smallest];
  for (std::size_t j = 0; j < big.size(); ++j) {
    const double x = big[j];
    const double p = kSplitPerturbation * std::max(std::abs(x), 1.0);
    big[j] = x + p;
    dying[j] = x - p;
  }
  return ClusterSplit{largest, smallest};
}

}  // namespace segd::core::models
