#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/common/time.h"
#include "core/features/customer_state.h"
#include "core/models/fit_options.h"
#include "core/models/kmeans_pp.h"
#include "core/models/model_snapshot.h"
#include "core/scoring/clusters.h"

namespace segd::core::scoring {

/// Settings of a refit.
struct TrainOptions {
  /// Model time unit of the BG/NBD fit. Default: TimeUnit::kDay
  models::TimeUnit time_unit = models::TimeUnit::kDay;
  /// Number of clusters, kMinClusters..kMaxClusters. Default: kDefaultClusters (6)
  size_t k = kDefaultClusters;
  /// Streaming k-means forgetfulness per refit (Spark decay per batch, one batch = one refit):
  /// the previous version's centroid weights are multiplied by this before the new population is
  /// folded in. Default: 0.5
  double decay_factor = 0.5;
  /// Passes over the population on the first fit (no previous model): pass 1 seeds with
  /// k-means++ and folds the population in once; each further pass folds it in again (the
  /// Spark update with the same decay), which refines the seeds like Lloyd iterations.
  /// Default: 10
  size_t first_fit_passes = 10;
  /// Independent first fits (k-means++ seeds options.seed + i, i < first_fit_inits); the one with
  /// the smallest inertia (sum of squared distances to the nearest centroid) is kept, first on
  /// ties. Guards against a poor k-means++ draw. Default: 4
  size_t first_fit_inits = 4;
  /// Mixed into the k-means++ seed (the data hash is the rest). Default: 0
  uint64_t seed = 0;
  /// Optimizer settings of the BG/NBD and Gamma-Gamma fits. Default: models::FitOptions{}
  models::FitOptions fit;
};

/// The per-customer inputs of a refit, extracted at one stream time (exposed for tests, the
/// offline Lloyd comparison and benchmarks).
struct TrainingSet {
  std::vector<models::RfmSummary> bgnbd;       ///< Buyers with T > 0, in the model time unit.
  std::vector<models::SpendSummary> spend;     ///< Repeat buyers (x >= 1) with a positive mean.
  std::vector<double> recency;                 ///< days_since_last_purchase of buyers.
  std::vector<double> frequency;               ///< orders_total of buyers.
  std::vector<double> monetary;                ///< monetary_total of buyers.
  std::vector<models::Point> cluster_vectors;  ///< Raw cluster_features, one per customer.
  /// Buyers not in `bgnbd` because their first purchase day is the fit day (T = 0).
  size_t first_bought_on_fit_day = 0;
  /// Buyers on two days or more not in `spend` because their purchase days, net of refunds,
  /// add up to nothing (zero-amount purchases).
  size_t repeat_buyers_without_spend = 0;
};

/// Extracts the training set: every customer is evaluated at max(as_of, last_event_ms) (a
/// stored state cannot be rewound), in input order. Pure.
[[nodiscard]] TrainingSet extract_training_set(std::span<const CustomerState> customers,
                                               TimestampMs as_of,
                                               models::TimeUnit unit);
/// Adds one customer to `set`, as extract_training_set() does for each (for callers that stream
/// the population instead of holding every state at once). Reads only the state's scalar fields:
/// its lists (days, sessions, cart, categories, dedup memory, segments) may be left empty.
void add_to_training_set(TrainingSet& set,
                         const CustomerState& customer,
                         TimestampMs as_of,
                         models::TimeUnit unit);

/// Refits every model on the customer population as of stream time `as_of`:
/// BG/NBD on (x, t_x, T) of buyers, Gamma-Gamma on repeat buyers' (x, avg_order_value), the
/// Standardizer and streaming k-means on the cluster vectors (see TrainOptions; with `previous`
/// its centroids are carried into the new standardized space, resumed with its weights, the
/// population folded in as one batch, and ids kept stable by match_centroids), RFM quintile cuts
/// over buyers. `customers` should be sorted by customer_id (the order feeds k-means, so it is
/// part of the result). The result has version previous->version + 1 (or 1) and
/// active_from_ms = as_of. Deterministic: same input, same snapshot bits.
/// A `previous` of another k or dimension is ignored (a fresh fit).
/// Errors: `bad_option` (k not in kMinClusters..kMaxClusters, decay not in (0, 1], no passes or
/// inits); `too_few_customers`
/// (fewer than k customers: "need at least K customers, one per cluster, have N"); those of
/// `no_buyers` (no customer with a purchase before `as_of`'s day) and `no_repeat_buyers` (none
/// with purchases of some value on two days), both counting who there is and who was left out;
/// those of fit_bgnbd / fit_gamma_gamma
/// (`fit_failed`) and of the k-means code. CPU-bound, single-threaded; about a few seconds per
/// million customers.
[[nodiscard]] Result<models::ModelSnapshot> train(std::span<const CustomerState> customers,
                                                  TimestampMs as_of,
                                                  const TrainOptions& options,
                                                  const models::ModelSnapshot* previous);
/// The same on an extracted set (built with options.time_unit, in customer_id order).
[[nodiscard]] Result<models::ModelSnapshot> train(const TrainingSet& set,
                                                  TimestampMs as_of,
                                                  const TrainOptions& options,
                                                  const models::ModelSnapshot* previous);

}  // namespace segd::core::scoring
