#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/common/result.h"
#include "core/engine/scorer.h"
#include "core/models/model_snapshot.h"
#include "core/scoring/cluster_features.h"

namespace segd::core::scoring {

/// Annual discount rate of clv_365d: 10%, converted to the snapshot's time unit as
/// (1 + 0.10)^(days_per_unit / 365) - 1.
inline constexpr double kAnnualDiscountRate = 0.10;
/// clv_365d sums 12 monthly steps over 365 days.
inline constexpr int kClvSteps = 12;
inline constexpr double kClvHorizonDays = 365.0;
inline constexpr double kExpectedOrdersDays = 90.0;
/// How far ahead score_change_ms() looks: 2^14 days (about 45 years); a score that has not
/// crossed by then is re-checked then.
inline constexpr int64_t kScoreSearchDays = int64_t{1} << 14;
/// The same for a score solved to the millisecond: 2^40 ms (about 35 years).
inline constexpr int64_t kScoreSearchMs = int64_t{1} << 40;

/// The engine's Scorer for one immutable ModelSnapshot. Scores (see MODELS.md "Scores and
/// refits"):
/// - p_alive, expected_orders_90d (E[Y(90 days)]), clv_365d: BG/NBD + Gamma-Gamma on
///   (x, t_x, T) converted to the snapshot's time unit; NaN for a customer who never bought
///   (the models describe customers from their first purchase; rules compare NaN as false).
/// - cluster, cluster_distance: nearest centroid (ties to the lowest id) of the standardized
///   cluster_features vector, Euclidean distance in standardized units; defined for everyone.
/// - rfm_r, rfm_f, rfm_m: 1..5 against the snapshot's quintile cuts (recent = 5); NaN for a
///   customer who never bought.
/// Thread-safe (immutable); score() does not allocate.
class ModelScorer final : public Scorer {
 public:
  /// Validates the snapshot (validate_snapshot) and that its dimension is kClusterDim.
  /// Errors: `invalid_model`.
  [[nodiscard]] static Result<std::shared_ptr<const ModelScorer>> create(
      models::ModelSnapshot snapshot);

  [[nodiscard]] int64_t version() const override { return snapshot_.version; }
  using Scorer::score;
  [[nodiscard]] ScoreVector score(const CustomerState& state,
                                  const FeatureVector& features,
                                  TimestampMs at,
                                  ScoreMask needed) const override;

  /// The snapshot this scorer reads.
  [[nodiscard]] const models::ModelSnapshot& snapshot() const { return snapshot_; }

  /// Solves p_alive, expected_orders_90d, clv_365d and rfm_r, by bisection on the very values
  /// evaluations would compute:
  /// - p_alive, expected_orders_90d, clv_365d: with x, t_x fixed until the next purchase, they
  ///   move only with T, by whole days, and never rise with T (MODELS.md, "Scores over time");
  ///   over the next kScoreSearchDays days. For p_alive the closed-form crossing of `threshold`
  ///   is tried first, and taken when the values on its day and the day before show the flip.
  /// - rfm_r: a quintile of days_since_last_purchase against fixed cuts, which never rises as
  ///   the days pass; to the millisecond, over the next 2^40 ms.
  /// - cluster (`holds` not read): the first day boundary at which the assigned cluster differs
  ///   from the one at `at`, as the daily re-check of it would see; over the next
  ///   kScoreSearchDays days. Only log1p_overdue moves with time, and only up: the vector moves
  ///   along a ray, which leaves a cluster's (convex) cell once and for all (MODELS.md, "Scores
  ///   over time").
  /// - cluster_distance: the first day boundary at which `holds` flips while the customer stays
  ///   in its cluster (the distance falls, then rises: at most one flip on each side), else the
  ///   day the cluster changes.
  [[nodiscard]] std::optional<int64_t> score_change_ms(const CustomerState& state,
                                                       const FeatureVector& features,
                                                       ScoreId id,
                                                       const std::function<bool(double)>& holds,
                                                       double threshold,
                                                       TimestampMs at) const override;

  /// Nearest centroid of a raw (unstandardized) cluster vector: {cluster id, distance}.
  [[nodiscard]] models::Assignment assign(const ClusterVector& raw) const;

  /// Use create(); public only for std::make_shared.
  explicit ModelScorer(models::ModelSnapshot snapshot);

 private:
  void score_purchases(const FeatureVector& features, ScoreMask needed, ScoreVector& out) const;
  /// score_change_ms() of the cluster or (with `holds`) cluster_distance, in days after `at`'s.
  [[nodiscard]] int64_t cluster_change_day(const CustomerState& state,
                                           const FeatureVector& features,
                                           ScoreId id,
                                           const std::function<bool(double)>& holds,
                                           TimestampMs at) const;
  /// p_alive, expected_orders_90d or clv_365d of a buyer with `features`, at T = `T_days`.
  [[nodiscard]] double t_score(ScoreId id, const FeatureVector& features, double T_days) const;

  models::ModelSnapshot snapshot_;
  double unit_days_;
  double discount_per_unit_;
  ClusterVector mean_{};
  ClusterVector inv_scale_{};
  std::vector<ClusterVector> centroids_;  ///< Flat copies for allocation-free scoring.
};

}  // namespace segd::core::scoring
