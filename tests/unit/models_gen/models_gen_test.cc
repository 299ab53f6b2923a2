// Clustering quality on `segctl gen` data: events generated in memory, replayed through the
// engine into a MemoryStore, then trained on. Checks that the streaming k-means of train()
// recovers the planted groups and agrees with offline Lloyd on the same standardized vectors.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine/partition_processor.h"
#include "core/models/cluster_metrics.h"
#include "core/models/lloyd_kmeans.h"
#include "core/models/standardizer.h"
#include "core/scoring/model_scorer.h"
#include "core/scoring/trainer.h"
#include "gen/generator.h"
#include "io/codec/json_event_codec.h"
#include "support/builders.h"

namespace segd::core::scoring {
namespace {

struct Replayed {
  std::vector<CustomerState> customers;  // Sorted by customer_id.
  int64_t stream_time_ms = 0;
  gen::GenSummary summary;
};

Replayed replay_generated(const gen::GenConfig& config) {
  std::stringstream lines;
  auto summary = gen::generate(config, lines);
  EXPECT_TRUE(summary.has_value());
  auto rules = RuleSet::compile({});
  EXPECT_TRUE(rules.has_value());
  testing::MemoryStore store;
  PartitionProcessor processor(PartitionId{0}, *rules, std::make_shared<NoModel>(), store, {}, {});
  std::string line;
  while (std::getline(lines, line)) {
    auto event = io::decode_json_event(line);
    if (event) {
      EXPECT_TRUE(processor.process(*event).has_value());
    }
  }
  store.apply(processor.take_batch());
  Replayed out;
  for (const auto& [id, state] : store.customers()) {
    out.customers.push_back(state);
  }
  out.stream_time_ms = processor.stream_time_ms();
  out.summary = std::move(*summary);
  return out;
}

std::vector<int> planted_labels(const Replayed& r) {
  std::map<std::string, int> group_ids;
  std::map<std::string, int> by_customer;
  for (const auto& [id, group] : r.summary.truth) {
    by_customer[id] =
        group_ids.try_emplace(group, static_cast<int>(group_ids.size())).first->second;
  }
  std::vector<int> labels;
  for (const CustomerState& c : r.customers) {
    labels.push_back(by_customer.at(c.customer_id));
  }
  return labels;
}

TEST(ModelsGenTest, StreamingKMeansRecoversPlantedGroupsAndMatchesLloyd) {
  gen::GenConfig config;
  config.customers = 3000;
  config.events = 120000;
  config.seed = 11;
  config.start = testing::at_day(0);
  config.days = 60;
  const Replayed r = replay_generated(config);
  ASSERT_GT(r.customers.size(), 2500u);
  const TimestampMs as_of{r.stream_time_ms};

  // One cluster per planted group (the figures in MODELS.md).
  auto snapshot = train(r.customers, as_of, TrainOptions{.k = 5}, nullptr);
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  auto scorer = ModelScorer::create(*snapshot);
  ASSERT_TRUE(scorer.has_value());

  const TrainingSet set = extract_training_set(r.customers, as_of, models::TimeUnit::kDay);
  std::vector<int> ours;
  for (const models::Point& p : set.cluster_vectors) {
    ClusterVector v{};
    std::copy(p.begin(), p.end(), v.begin());
    ours.push_back(static_cast<int>((*scorer)->assign(v).cluster));
  }
  const auto z = models::standardize_all(snapshot->standardizer, set.cluster_vectors);
  // Offline reference: Lloyd, best inertia of 4 k-means++ seeds (like the trainer's 4 inits).
  std::optional<models::KMeansResult> lloyd;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    auto fit = models::lloyd_kmeans(z, 5, 300, seed);
    ASSERT_TRUE(fit.has_value());
    if (!lloyd || fit->inertia < lloyd->inertia) {
      lloyd = std::move(*fit);
    }
  }
  std::vector<int> offline(lloyd->assignments.begin(), lloyd->assignments.end());

  const double ari_planted = models::adjusted_rand_index(ours, planted_labels(r));
  const double ari_lloyd = models::adjusted_rand_index(ours, offline);
  const double lloyd_planted = models::adjusted_rand_index(offline, planted_labels(r));
  std::printf(
      "customers=%zu ARI(streaming, planted)=%.4f ARI(streaming, lloyd)=%.4f "
      "ARI(lloyd, planted)=%.4f\n",
      r.customers.size(), ari_planted, ari_lloyd, lloyd_planted);
  EXPECT_GE(ari_planted, 0.8);
  EXPECT_GE(ari_lloyd, 0.8);
}

}  // namespace
}  // namespace segd::core::scoring
