#include "core/segments/scores.h"

#include <limits>

namespace segd::core {
namespace {

constexpr std::array<std::string_view, kScoreCount> kNames = {
    "p_alive", "expected_orders_90d", "clv_365d", "cluster", "cluster_distance", "rfm_r", "rfm_f",
    "rfm_m",
};

}  // namespace

std::string_view score_name(ScoreId id) { return kNames[static_cast<size_t>(id)]; }

std::optional<ScoreId> score_by_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<ScoreId>(i);
    }
  }
  return std::nullopt;
}

ScoreVector no_scores() {
  ScoreVector v;
  v.fill(std::numeric_limits<double>::quiet_NaN());
  return v;
}

}  // namespace segd::core
