#include "core/scoring/model_scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/common/check.h"
#include "core/features/feature_values.h"
#include "core/models/bgnbd.h"
#include "core/models/clv.h"
#include "core/models/gamma_gamma.h"
#include "core/models/rfm.h"
#include "core/scoring/purchase_day_values.h"

namespace segd::core::scoring {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double feature(const FeatureVector& f, FeatureId id) { return f[static_cast<size_t>(id)]; }

void set(ScoreVector& out, ScoreId id, double v) { out[static_cast<size_t>(id)] = v; }

/// The first t in (from, from + span] at which `holds(t)` differs from `holds(from)`, for a
/// `holds` that changes at most once; from + span when it has not changed by then.
template <typename Holds>
int64_t first_change(const Holds& holds, int64_t from, int64_t span) {
  const bool before = holds(from);
  int64_t unchanged = from;
  int64_t changed = from + span;
  if (holds(changed) != before) {
    while (changed - unchanged > 1) {
      const int64_t mid = unchanged + (changed - unchanged) / 2;
      (holds(mid) == before ? unchanged : changed) = mid;
    }
  }
  return changed;
}

}  // namespace

Result<std::shared_ptr<const ModelScorer>> ModelScorer::create(models::ModelSnapshot snapshot) {
  if (auto ok = models::validate_snapshot(snapshot); !ok) {
    return std::unexpected(ok.error());
  }
  if (snapshot.standardizer.mean.size() != kClusterDim) {
    return fail("invalid_model", "cluster dimension " +
                                     std::to_string(snapshot.standardizer.mean.size()) +
                                     ", expected " + std::to_string(kClusterDim));
  }
  return std::make_shared<const ModelScorer>(std::move(snapshot));
}

ModelScorer::ModelScorer(models::ModelSnapshot snapshot)
    : snapshot_(std::move(snapshot)),
      unit_days_(models::days_per_unit(snapshot_.time_unit)),
      discount_per_unit_(std::expm1(std::log1p(kAnnualDiscountRate) * unit_days_ / 365.0)) {
  CHECK(snapshot_.standardizer.mean.size() == kClusterDim);
  for (size_t i = 0; i < kClusterDim; ++i) {
    mean_[i] = snapshot_.standardizer.mean[i];
    inv_scale_[i] = 1.0 / snapshot_.standardizer.scale[i];
  }
  for (const models::Point& c : snapshot_.centroids) {
    ClusterVector flat{};
    for (size_t i = 0; i < kClusterDim; ++i) {
      flat[i] = c[i];
    }
    centroids_.push_back(flat);
  }
}

models::Assignment ModelScorer::assign(const ClusterVector& raw) const {
  ClusterVector z{};
  for (size_t i = 0; i < kClusterDim; ++i) {
    z[i] = (raw[i] - mean_[i]) * inv_scale_[i];
  }
  models::Assignment best{0, std::numeric_limits<double>::infinity()};
  for (size_t j = 0; j < centroids_.size(); ++j) {
    double d2 = 0.0;
    for (size_t i = 0; i < kClusterDim; ++i) {
      const double diff = z[i] - centroids_[j][i];
      d2 += diff * diff;
    }
    if (d2 < best.distance) {
      best = {j, d2};
    }
  }
  best.distance = std::sqrt(best.distance);
  return best;
}

double ModelScorer::t_score(ScoreId id, const FeatureVector& f, double T_days) const {
  const models::RfmSummary rfm{feature(f, FeatureId::kX), feature(f, FeatureId::kTx) / unit_days_,
                               T_days / unit_days_};
  const models::BgNbdParams& bg = snapshot_.bgnbd;
  switch (id) {
    case ScoreId::kPAlive:
      return models::p_alive(bg, rfm.x, rfm.t_x, rfm.T);
    case ScoreId::kExpectedOrders90d:
      return models::expected_purchases(bg, kExpectedOrdersDays / unit_days_, rfm.x, rfm.t_x,
                                        rfm.T);
    case ScoreId::kClv365d:
      return models::clv(bg, snapshot_.gamma_gamma, rfm, purchase_day_values(f),
                         kClvHorizonDays / unit_days_, discount_per_unit_, kClvSteps);
    default:
      CHECK(false);
  }
  return kNaN;
}

void ModelScorer::score_purchases(const FeatureVector& f,
                                  ScoreMask needed,
                                  ScoreVector& out) const {
  if (!(feature(f, FeatureId::kOrdersTotal) > 0.0)) {
    return;  // Never bought: the purchase scores stay NaN.
  }
  for (const ScoreId id : {ScoreId::kPAlive, ScoreId::kExpectedOrders90d, ScoreId::kClv365d}) {
    if (wants(needed, id)) {
      set(out, id, t_score(id, f, feature(f, FeatureId::kT)));
    }
  }
  const models::RfmCuts& cuts = snapshot_.rfm;
  set(out, ScoreId::kRfmR,
      models::rfm_score(cuts.recency, feature(f, FeatureId::kDaysSinceLastPurchase),
                        models::RfmDirection::kLowerIsBetter));
  set(out, ScoreId::kRfmF,
      models::rfm_score(cuts.frequency, feature(f, FeatureId::kOrdersTotal),
                        models::RfmDirection::kHigherIsBetter));
  set(out, ScoreId::kRfmM,
      models::rfm_score(cuts.monetary, feature(f, FeatureId::kMonetaryTotal),
                        models::RfmDirection::kHigherIsBetter));
}

std::optional<int64_t> ModelScorer::score_change_ms(const CustomerState& state,
                                                    const FeatureVector& f,
                                                    ScoreId id,
                                                    const std::function<bool(double)>& holds,
                                                    double threshold,
                                                    TimestampMs at) const {
  if (id == ScoreId::kCluster || id == ScoreId::kClusterDistance) {
    // Every customer has a cluster: days after `at`'s day, as the daily re-check saw them.
    return (day_of(at) + cluster_change_day(state, f, id, holds, at)) * kMsPerDay;
  }
  if (!(feature(f, FeatureId::kOrdersTotal) > 0.0)) {
    return std::nullopt;
  }
  if (id == ScoreId::kRfmR) {
    const auto holds_at = [&](int64_t t) {
      return holds(
          models::rfm_score(snapshot_.rfm.recency,
                            timed_value(state, FeatureId::kDaysSinceLastPurchase, TimestampMs{t}),
                            models::RfmDirection::kLowerIsBetter));
    };
    return first_change(holds_at, at.value(), kScoreSearchMs);
  }
  if (id != ScoreId::kPAlive && id != ScoreId::kExpectedOrders90d && id != ScoreId::kClv365d) {
    return std::nullopt;
  }
  // As score_purchases() computes it on the day `days` after `at`'s: T is a whole number of days.
  const double T = feature(f, FeatureId::kT);
  const auto holds_after = [&](int64_t days) {
    return holds(t_score(id, f, T + static_cast<double>(days)));
  };
  if (id != ScoreId::kPAlive) {
    return (day_of(at) + first_change(holds_after, 0, kScoreSearchDays)) * kMsPerDay;
  }
  const double x = feature(f, FeatureId::kX);
  const double t_x = feature(f, FeatureId::kTx) / unit_days_;
  const models::BgNbdParams& bg = snapshot_.bgnbd;
  // The odds of having dropped out, a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x), are
  // (1 - threshold) / threshold at this T (in the model's unit): its day is a first guess, taken
  // when the values themselves flip there. (Evaluations round; the bisection decides otherwise.)
  const double crossing_T =
      t_x + (bg.alpha + t_x) * std::expm1((std::log((1.0 - threshold) / threshold) -
                                           std::log(bg.a) + std::log(bg.b + x - 1.0)) /
                                          (bg.r + x));
  const double guess = std::ceil(crossing_T * unit_days_ - T);
  if (x > 0.0 && guess >= 1.0 && guess <= static_cast<double>(kScoreSearchDays)) {
    const auto day = static_cast<int64_t>(guess);
    const bool now = holds_after(0);
    if (holds_after(day) != now && (day == 1 || holds_after(day - 1) == now)) {
      return (day_of(at) + day) * kMsPerDay;
    }
  }
  return (day_of(at) + first_change(holds_after, 0, kScoreSearchDays)) * kMsPerDay;
}

int64_t ModelScorer::cluster_change_day(const CustomerState& state,
                                        const FeatureVector& f,
                                        ScoreId id,
                                        const std::function<bool(double)>& holds,
                                        TimestampMs at) const {
  // Day 0 is `at` itself, day d > 0 the d-th day boundary after it.
  const auto vector_after = [&](int64_t days) {
    return cluster_features(state, f,
                            days == 0 ? at : TimestampMs{(day_of(at) + days) * kMsPerDay});
  };
  const auto assignment_after = [&](int64_t days) { return assign(vector_after(days)); };
  const size_t cluster = assignment_after(0).cluster;
  const auto same_after = [&](int64_t days) {
    return days == 0 || assignment_after(days).cluster == cluster;
  };
  const int64_t leaves = first_change(same_after, 0, kScoreSearchDays);
  if (id == ScoreId::kCluster || leaves <= 1) {
    return leaves;
  }
  // Within the cell the distance to its centroid falls while the moving coordinate is below the
  // centroid's, and rises from the first day it is not: holds flips at most once on each side.
  const auto rising_after = [&](int64_t days) {
    return (vector_after(days)[kOverdueDim] - mean_[kOverdueDim]) * inv_scale_[kOverdueDim] >=
           centroids_[cluster][kOverdueDim];
  };
  const auto holds_after = [&](int64_t days) { return holds(assignment_after(days).distance); };
  const bool now = holds_after(0);
  const int64_t last = leaves - 1;  // The last day in the cell.
  int64_t rises_from = 0;           // The first day of the rising side; past `last`: none.
  if (!rising_after(0)) {
    rises_from = rising_after(last) ? first_change(rising_after, 0, last) : leaves;
  }
  if (rises_from > 1) {  // The falling side, days 0 .. rises_from - 1.
    const int64_t d = first_change(holds_after, 0, rises_from - 1);
    if (holds_after(d) != now) {
      return d;
    }
  }
  const int64_t first_rising = std::max<int64_t>(rises_from, 1);
  if (first_rising <= last) {  // The rising side, against the value now.
    if (holds_after(first_rising) != now) {
      return first_rising;
    }
    if (first_rising < last) {
      const int64_t d = first_change(holds_after, first_rising, last - first_rising);
      if (holds_after(d) != now) {
        return d;
      }
    }
  }
  return leaves;  // Re-checked where the cluster changes (or at the horizon).
}

ScoreVector ModelScorer::score(const CustomerState& state,
                               const FeatureVector& features,
                               TimestampMs at,
                               ScoreMask needed) const {
  ScoreVector out = no_scores();
  score_purchases(features, needed, out);
  if (wants(needed, ScoreId::kCluster) || wants(needed, ScoreId::kClusterDistance)) {
    const models::Assignment a = assign(cluster_features(state, features, at));
    set(out, ScoreId::kCluster, static_cast<double>(a.cluster));
    set(out, ScoreId::kClusterDistance, a.distance);
  }
  return out;
}

}  // namespace segd::core::scoring
