#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace segd::core {

/// Model scores a rule can read, after the features in the rule symbol table. NaN until a model
/// version is active. See the README "Scores".
enum class ScoreId : uint8_t {
  kPAlive,
  kExpectedOrders90d,
  kClv365d,
  kCluster,
  kClusterDistance,
  kRfmR,
  kRfmF,
  kRfmM,
  kCount,
};

inline constexpr size_t kScoreCount = static_cast<size_t>(ScoreId::kCount);
using ScoreVector = std::array<double, kScoreCount>;

/// Which scores a caller needs: bit i is ScoreId i. Scores not asked for may stay NaN.
using ScoreMask = uint32_t;
inline constexpr ScoreMask kAllScores = (ScoreMask{1} << kScoreCount) - 1;
[[nodiscard]] constexpr bool wants(ScoreMask mask, ScoreId id) {
  return (mask >> static_cast<unsigned>(id)) & 1U;
}

/// `p_alive`, `expected_orders_90d`, `clv_365d`, `cluster`, `cluster_distance`, `rfm_r`,
/// `rfm_f`, `rfm_m`.
[[nodiscard]] std::string_view score_name(ScoreId id);
[[nodiscard]] std::optional<ScoreId> score_by_name(std::string_view name);

/// All scores NaN: no model is active.
[[nodiscard]] ScoreVector no_scores();

}  // namespace segd::core
