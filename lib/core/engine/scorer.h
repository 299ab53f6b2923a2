#pragma once

#include <cstdint>

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
