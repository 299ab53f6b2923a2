#pragma once

#include <array>
#include <cstdint>
#include <span>

/// RFM (recency, frequency, monetary) quintile scoring. Pure, thread-safe.
namespace segd::core::models {

/// The 4 boundaries between the 5 quintiles of one quantity, non-decreasing.
using QuintileCuts = std::array<double, 4>;

/// Which end of a quantity earns the top score.
enum class RfmDirection : uint8_t {
  kHigherIsBetter,  ///< frequency, monetary: large values score 5.
  kLowerIsBetter,   ///< recency (days since the last purchase): small values score 5.
};

/// Quintile boundaries by the nearest-rank rule: with the values sorted ascending (v_0..v_{n-1}),
/// cut_i = v_{ceil(i*n/5) - 1} for i = 1..4 (the smallest value with at least i/5 of the values
/// at or below it). Non-finite values are ignored. An empty input gives all-zero cuts.
/// Deterministic (sorting a copy; no dependence on input order).
[[nodiscard]] QuintileCuts quintile_cuts(std::span<const double> values);

/// Score 1..5 of `value` against `cuts`. kHigherIsBetter: 1 + the number of cuts strictly below
/// `value` (a value equal to a cut stays in the lower quintile). kLowerIsBetter: 5 minus the
/// number of cuts strictly below `value` (value <= cut_1 scores 5, value > cut_4 scores 1).
/// NaN in, NaN out.
[[nodiscard]] double rfm_score(const QuintileCuts& cuts, double value, RfmDirection direction);

}  // namespace segd::core::models
