#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/common/time.h"
#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"
#include "core/segments/scores.h"

namespace segd::core {

/// Reads the active model version to score a customer. Implementations are immutable snapshots
/// (see core/models), so scoring is pure and replays exactly.
class Scorer {
 public:
  virtual ~Scorer() = default;
  /// The version recorded in every SegmentChange; 0 when no model is active.
  [[nodiscard]] virtual int64_t version() const = 0;
  /// The scores in `needed` (others may stay NaN) of a customer at stream time `at`.
  [[nodiscard]] virtual ScoreVector score(const CustomerState& state,
                                          const FeatureVector& features,
                                          TimestampMs at,
                                          ScoreMask needed) const = 0;
  /// For a customer `state` whose features at stream time `at` are `features`: the first time
  /// after `at` at which `holds` of score `id` differs from `holds` of its value at `at`, where
  /// `holds` is a comparison (< <= > >=) with the fixed value `threshold`, when this model can
  /// solve that exactly; else nullopt, and the caller re-checks daily. A time far ahead (the
  /// search horizon) when it does not change before then. For ScoreId::kCluster `holds` and
  /// `threshold` are not read: the answer is the first day boundary at which the assigned
  /// cluster itself differs, the earliest any use of it can change. The default solves nothing.
  [[nodiscard]] virtual std::optional<int64_t> score_change_ms(
      const CustomerState& /*state*/,
      const FeatureVector& /*features*/,
      ScoreId /*id*/,
      const std::function<bool(double)>& /*holds*/,
      double /*threshold*/,
      TimestampMs /*at*/) const {
    return std::nullopt;
  }
  /// Every score.
  [[nodiscard]] ScoreVector score(const CustomerState& state,
                                  const FeatureVector& features,
                                  TimestampMs at) const {
    return score(state, features, at, kAllScores);
  }
};

/// Scores nothing (all NaN), version 0: the state before the first model fit.
class NoModel final : public Scorer {
 public:
  [[nodiscard]] int64_t version() const override { return 0; }
  using Scorer::score;
  [[nodiscard]] ScoreVector score(const CustomerState& /*state*/,
                                  const FeatureVector& /*features*/,
                                  TimestampMs /*at*/,
                                  ScoreMask /*needed*/) const override {
    return no_scores();
  }
};

}  // namespace segd::core
