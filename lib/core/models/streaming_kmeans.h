#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/models/kmeans_pp.h"

namespace segd::core::models {

/// What the decay factor is applied per (Spark's `timeUnit`).
enum class DecayUnit {
  kBatches,  ///< weights are multiplied by a once per update() call
  kPoints,   ///< weights are multiplied by a^m, m = number of points in the batch
};

/// Settings of a streaming k-means model.
struct StreamingKMeansConfig {
  /// Number of clusters. Default: 6
  std::size_t k = 6;
  /// Forgetfulness a in (0, 1]: 1 keeps all history, 0 < a < 1 discounts old data.
  /// Default: 1.0
  double decay_factor = 1.0;
  /// Default: DecayUnit::kBatches
  DecayUnit decay_unit = DecayUnit::kBatches;
  /// Mixed with the hash of the first batch to seed k-means++. Default: 0
  std::uint64_t seed = 0;

  bool operator==(const StreamingKMeansConfig&) const = default;
};

/// Decay factor with the given half-life (in the config's DecayUnit): a = exp(ln(1/2) / h), so
/// after h units without data every weight has halved (Spark's setHalfLife).
/// Errors: `bad_half_life` unless h is finite and > 0.
[[nodiscard]] Result<double> decay_for_half_life(double half_life);

/// The model's value: centroids (index = cluster id) and their weights (decayed point counts).
/// A plain aggregate for snapshots; both vectors have k entries once initialised.
struct StreamingKMeansState {
  std::vector<Point> centroids;
  std::vector<double> weights;

  bool operator==(const StreamingKMeansState&) const = default;
};

/// Which cluster was split in an update, when the smallest one was dying.
struct ClusterSplit {
  std::size_t largest = 0;
  std::size_t smallest = 0;

  bool operator==(const ClusterSplit&) const = default;
};

/// What one update() did, for metrics and tests.
struct StreamingUpdateStats {
  std::size_t points = 0;
  /// True on the update that ran k-means++ seeding.
  bool initialised = false;
  std::optional<ClusterSplit> split;

  bool operator==(const StreamingUpdateStats&) const = default;
};

/// Streaming k-means with the semantics of Apache Spark MLlib's StreamingKMeansModel.update:
/// for a batch, each point goes to its nearest centroid; all weights are discounted by d
/// (d = a per batch, or a^m per batch of m points); then each cluster j that received m_j points
/// with mean x_j becomes n_j' = n_j*d + m_j, c_j' = (c_j*n_j*d + x_j*m_j) / (n_j*d + m_j).
/// Afterwards, if the smallest weight is < 1e-8 times the largest, the largest cluster is split:
/// both get weight (max+min)/2, the largest's centroid moves to x + p and the dying one to x - p,
/// p = 1e-14 * max(|x|, 1) per coordinate. The first update seeds the k centroids with k-means++
/// on that batch (seed = config.seed ^ hash_points(batch)) at weight 0 and then applies the rule,
/// so identical input gives bit-identical state. Not thread-safe; copyable value.
class StreamingKMeans {
 public:
  /// An empty model; the first update() initialises it. Errors: `bad_k` (k == 0),
  /// `bad_decay_factor` (not in (0, 1]).
  [[nodiscard]] static Result<StreamingKMeans> create(const StreamingKMeansConfig& config);

  /// A model resumed from a snapshot. Errors: those of create(), `bad_state` (not k centroids
  /// and k weights, or negative/non-finite weights) and those of validate_points.
  [[nodiscard]] static Result<StreamingKMeans> from_state(const StreamingKMeansConfig& config,
                                                          StreamingKMeansState state);

  /// Folds a batch in (see the class comment). An empty batch only decays (by a per batch; a^0
  /// = 1 per point). Errors, leaving the model unchanged: those of validate_points,
  /// `dimension_mismatch` against the model, `too_few_points` when an uninitialised model
  /// gets fewer than k points (an empty batch on an uninitialised model is a no-op).
  [[nodiscard]] Result<StreamingUpdateStats> update(std::span<const Point> batch);

  /// Nearest centroid (Euclidean, ties to the lowest id). Requires an initialised model and a
  /// point of its dimension (CHECKed). O(k*d), no allocation.
  [[nodiscard]] Assignment assign(const Point& point) const;

  /// True once the first update() (or from_state) has set the centroids.
  [[nodiscard]] bool initialised() const { return !state_.centroids.empty(); }

  /// Current centroids and weights.
  [[nodiscard]] const StreamingKMeansState& state() const { return state_; }

  /// Settings the model was created with.
  [[nodiscard]] const StreamingKMeansConfig& config() const { return config_; }

 private:
  explicit StreamingKMeans(const StreamingKMeansConfig& config) : config_(config) {}

  [[nodiscard]] Result<void> initialise(std::span<const Point> batch);
  void fold(std::span<const Point> batch);
  [[nodiscard]] std::optional<ClusterSplit> split_dying();

  StreamingKMeansConfig config_;
  StreamingKMeansState state_;
};

}  // namespace segd::core::models
