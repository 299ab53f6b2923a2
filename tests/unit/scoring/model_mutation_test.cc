// Damaged stored model snapshots: decode_model_snapshot answers each with `corrupt_state`,
// `invalid_model` or a snapshot that encodes back to the same bytes and that a scorer can be
// built from and used. Under scripts/sanitize.sh this also checks the scoring arithmetic on
// odd-but-valid parameters for undefined behaviour (float-to-int casts of cluster ids and RFM
// quintiles among them).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/features/feature_values.h"
#include "core/scoring/model_scorer.h"
#include "io/state/model_codec.h"
#include "io/state/state_codec.h"
#include "support/builders.h"
#include "support/mutator.h"
#include "unit/scoring/buyer.h"

namespace segd::io {
namespace {

using core::models::ModelSnapshot;

ModelSnapshot snapshot() {
  ModelSnapshot s;
  s.version = 4;
  s.active_from_ms = 1767225600123;
  s.trained_as_of_ms = 1767225600000;
  s.time_unit = core::models::TimeUnit::kWeek;
  s.bgnbd = {0.243, 4.414, 0.793, 2.426};
  s.gamma_gamma = {6.25, 3.74, 15.44};
  s.standardizer.mean = {1.5, -2.0, 0.1, 3.0, 0.25};
  s.standardizer.scale = {0.5, 1.0, 3.0, 2.0, 0.125};
  s.centroids = {{0.1, 0.2, 0.3, 0.4, 0.5}, {-1.0, 1.0, 2.0, -0.5, 0.0}, {3, 3, 3, 3, 3}};
  s.centroid_weights = {1234.5, 0.0, 7.0};
  s.rfm = {{1, 5, 9, 30}, {1, 1, 2, 4}, {10.5, 20, 30, 400}};
  s.diagnostics = {-1234.5678, 2000, 700};
  return s;
}

TEST(ModelMutationTest, DamagedSnapshotsAreRejectedOrUsable) {
  const std::string bytes = encode_model_snapshot(snapshot());
  const auto record = decode_model(bytes);
  ASSERT_TRUE(record.has_value());
  const std::vector<std::string> outer = {bytes};
  const std::vector<std::string> payloads = {record->payload};
  const core::CustomerState customers[] = {testing::three_day_buyer(), core::CustomerState{}};
  const core::TimestampMs now = testing::at_day(80);
  segd::testing::Mutator mutator(7);
  int usable = 0;
  for (int i = 0; i < 20000 && !HasFailure(); ++i) {
    // Half damage the outer record, half the payload inside an intact record.
    std::string mutant = mutator.next(outer);
    if (i % 2 == 1) {
      ModelRecord inner = *record;
      inner.payload = mutator.next(payloads);
      mutant = encode_model(inner);
    }
    const auto decoded = decode_model_snapshot(mutant);
    if (!decoded) {
      EXPECT_TRUE(decoded.error().code == "corrupt_state" ||
                  decoded.error().code == "invalid_model")
          << decoded.error().code;
      continue;
    }
    const std::string again = encode_model_snapshot(*decoded);
    const auto back = decode_model_snapshot(again);
    ASSERT_TRUE(back.has_value()) << back.error().message
                                  << "\nmutant: " << segd::testing::hex(mutant);
    EXPECT_EQ(encode_model_snapshot(*back), again) << segd::testing::hex(mutant);
    auto scorer = core::scoring::ModelScorer::create(*decoded);
    if (!scorer) {
      EXPECT_EQ(scorer.error().code, "invalid_model");  // A dimension other than kClusterDim.
      continue;
    }
    ++usable;
    for (const core::CustomerState& c : customers) {
      const core::ScoreVector v = (*scorer)->score(c, core::compute_features(c, now), now);
      const double cluster = v[static_cast<size_t>(core::ScoreId::kCluster)];
      EXPECT_TRUE(cluster >= 0 && cluster < static_cast<double>(decoded->centroids.size()))
          << cluster << " for mutant " << segd::testing::hex(mutant);
    }
  }
  EXPECT_GT(usable, 500);
}

}  // namespace
}  // namespace segd::io
