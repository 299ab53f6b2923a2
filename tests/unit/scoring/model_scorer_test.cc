#include "core/scoring/model_scorer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/features/feature_values.h"
#include "core/models/bgnbd.h"
#include "core/models/clv.h"
#include "core/models/gamma_gamma.h"
#include "core/segments/rule_set.h"
#include "support/builders.h"
#include "unit/scoring/buyer.h"

namespace segd::core::scoring {
namespace {

using models::ModelSnapshot;
using models::TimeUnit;

double at(const ScoreVector& v, ScoreId id) { return v[static_cast<size_t>(id)]; }

ModelSnapshot snapshot(TimeUnit unit) {
  ModelSnapshot s;
  s.version = 7;
  s.time_unit = unit;
  s.bgnbd = {0.243, unit == TimeUnit::kWeek ? 4.414 : 4.414 * 7.0, 0.793, 2.426};
  s.gamma_gamma = {6.25, 3.74, 15.44};
  s.standardizer.mean.assign(kClusterDim, 0.0);
  s.standardizer.scale.assign(kClusterDim, 1.0);
  s.centroids = {models::Point(kClusterDim, 0.0), models::Point(kClusterDim, 10.0)};
  s.centroid_weights = {1.0, 1.0};
  s.rfm = {{5, 10, 20, 40}, {1, 1, 2, 3}, {20, 50, 100, 200}};
  return s;
}

TEST(ModelScorerTest, PurchaseScoresMatchTheModelFunctionsInDays) {
  auto scorer = ModelScorer::create(snapshot(TimeUnit::kDay));
  ASSERT_TRUE(scorer.has_value());
  EXPECT_EQ((*scorer)->version(), 7);
  const CustomerState c = testing::three_day_buyer();
  const TimestampMs now = testing::at_day(80);
  const ScoreVector v = (*scorer)->score(c, compute_features(c, now), now);
  const models::BgNbdParams bg = (*scorer)->snapshot().bgnbd;
  // x = 2 repeat days, t_x = 50, T = 80 days.
  EXPECT_DOUBLE_EQ(at(v, ScoreId::kPAlive), models::p_alive(bg, 2, 50, 80));
  EXPECT_DOUBLE_EQ(at(v, ScoreId::kExpectedOrders90d),
                   models::expected_purchases(bg, 90, 2, 50, 80));
  const double daily = std::pow(1.1, 1.0 / 365.0) - 1.0;
  // Gamma-Gamma sees what BG/NBD counts: 3 purchase days of 180 / 3 = 60 each (4 orders of 45).
  const double clv = models::clv(bg, {6.25, 3.74, 15.44}, {2, 50, 80}, {3, 60.0}, 365, daily, 12);
  EXPECT_NEAR(at(v, ScoreId::kClv365d), clv, 1e-9 * clv);
  EXPECT_GT(clv, 0.0);
  // Recency 30 days: above cuts 5, 10, 20 -> 2. Frequency 4 > all cuts -> 5. Monetary 180 -> 4.
  EXPECT_EQ(at(v, ScoreId::kRfmR), 2);
  EXPECT_EQ(at(v, ScoreId::kRfmF), 5);
  EXPECT_EQ(at(v, ScoreId::kRfmM), 4);
}

TEST(ModelScorerTest, WeekUnitConvertsTimesAndDiscount) {
  auto scorer = ModelScorer::create(snapshot(TimeUnit::kWeek));
  ASSERT_TRUE(scorer.has_value());
  const CustomerState c = testing::three_day_buyer();
  const TimestampMs now = testing::at_day(80);
  const ScoreVector v = (*scorer)->score(c, compute_features(c, now), now);
  const models::BgNbdParams bg = (*scorer)->snapshot().bgnbd;
  EXPECT_DOUBLE_EQ(at(v, ScoreId::kPAlive), models::p_alive(bg, 2, 50.0 / 7, 80.0 / 7));
  EXPECT_DOUBLE_EQ(at(v, ScoreId::kExpectedOrders90d),
                   models::expected_purchases(bg, 90.0 / 7, 2, 50.0 / 7, 80.0 / 7));
  const double weekly = std::pow(1.1, 7.0 / 365.0) - 1.0;
  const double clv = models::clv(bg, {6.25, 3.74, 15.44}, {2, 50.0 / 7, 80.0 / 7}, {3, 60.0},
                                 365.0 / 7, weekly, 12);
  EXPECT_NEAR(at(v, ScoreId::kClv365d), clv, 1e-9 * clv);
}

TEST(ModelScorerTest, NeverBoughtHasNaNPurchaseScoresButACluster) {
  auto scorer = ModelScorer::create(snapshot(TimeUnit::kDay));
  ASSERT_TRUE(scorer.has_value());
  CustomerState c;
  c.customer_id = "browser";
  c.first_event_ms = testing::at_day(1).value();
  c.last_event_ms = testing::at_day(2).value();
  c.sessions_total = 2;
  c.counts[1] = 9;
  const TimestampMs now = testing::at_day(3);
  const FeatureVector f = compute_features(c, now);
  const ScoreVector v = (*scorer)->score(c, f, now);
  for (ScoreId id : {ScoreId::kPAlive, ScoreId::kExpectedOrders90d, ScoreId::kClv365d,
                     ScoreId::kRfmR, ScoreId::kRfmF, ScoreId::kRfmM}) {
    EXPECT_TRUE(std::isnan(at(v, id))) << score_name(id);
  }
  // The raw vector is small, so centroid 0 (the origin) is nearest; distance = its norm.
  const ClusterVector raw = cluster_features(c, f, now);
  double norm2 = 0.0;
  for (double x : raw) {
    norm2 += x * x;
  }
  EXPECT_EQ(at(v, ScoreId::kCluster), 0);
  EXPECT_NEAR(at(v, ScoreId::kClusterDistance), std::sqrt(norm2), 1e-12);
}

TEST(ModelScorerTest, ClusterUsesTheStandardizedVector) {
  ModelSnapshot s = snapshot(TimeUnit::kDay);
  // z = (raw + 50) / 10: the raw origin maps to 5 in every coordinate, exactly centroid 1.
  s.standardizer.mean.assign(kClusterDim, -50.0);
  s.standardizer.scale.assign(kClusterDim, 10.0);
  s.centroids[1].assign(kClusterDim, 5.0);
  auto scorer = ModelScorer::create(s);
  ASSERT_TRUE(scorer.has_value());
  const models::Assignment a = (*scorer)->assign(ClusterVector{});
  EXPECT_EQ(a.cluster, 1u);
  EXPECT_NEAR(a.distance, 0.0, 1e-12);
}

// The first day boundary after `now` at which `holds` of the customer's score `id` differs from
// now, found day by day as evaluations on those days would see it; the search horizon when none
// does.
int64_t first_change_by_day(const ModelScorer& scorer,
                            const CustomerState& c,
                            TimestampMs now,
                            ScoreId id,
                            const std::function<bool(double)>& holds) {
  const auto score = [&](TimestampMs t) {
    return at(scorer.score(c, compute_features(c, t), t, ScoreMask{1} << static_cast<int>(id)), id);
  };
  const bool before = holds(score(now));
  for (int64_t day = 1; day < kScoreSearchDays; ++day) {
    const TimestampMs t{(day_of(now) + day) * kMsPerDay};
    if (holds(score(t)) != before) {
      return t.value();
    }
  }
  return (day_of(now) + kScoreSearchDays) * kMsPerDay;
}

// The three-day buyer at day 80.5 (x = 2, t_x = 50 days, T = 80), scored by the snapshot in days
// and in weeks: what the purchase-score crossing tests solve from.
struct BuyerAtDay80 {
  const CustomerState c = testing::three_day_buyer();
  const TimestampMs now = testing::at_day(80.5);
  const FeatureVector f = compute_features(c, now);
  const int64_t horizon = (day_of(now) + kScoreSearchDays) * kMsPerDay;
  const std::vector<std::shared_ptr<const ModelScorer>> scorers = {
      ModelScorer::create(snapshot(TimeUnit::kDay)).value(),
      ModelScorer::create(snapshot(TimeUnit::kWeek)).value()};

  // The time `scorer` solves for the first flip of `holds` of score `id`, checked against the
  // day-by-day scan; nullopt (a failure) when it solves nothing.
  std::optional<int64_t> solved_as_scanned(const ModelScorer& scorer,
                                           ScoreId id,
                                           const std::function<bool(double)>& holds,
                                           double threshold,
                                           const std::string& what) const {
    const std::optional<int64_t> solved = scorer.score_change_ms(c, f, id, holds, threshold, now);
    EXPECT_TRUE(solved.has_value()) << what;
    if (solved) {
      EXPECT_EQ(*solved, first_change_by_day(scorer, c, now, id, holds)) << what;
    }
    return solved;
  }
};

TEST(ModelScorerTest, PAliveCrossingsAreSolvedAtTheDayAnEvaluationWouldSeeThem) {
  const BuyerAtDay80 buyer;
  int crossings = 0;
  for (const auto& scorer : buyer.scorers) {
    for (const double threshold : {0.99, 0.6, 0.3, 0.05, 0.0}) {
      const std::function<bool(double)> below = [threshold](double v) { return v < threshold; };
      const std::function<bool(double)> at_least = [threshold](double v) { return v >= threshold; };
      for (const auto* holds : {&below, &at_least}) {
        const std::optional<int64_t> solved = buyer.solved_as_scanned(
            *scorer, ScoreId::kPAlive, *holds, threshold,
            "threshold " + std::to_string(threshold) + (holds == &below ? " <" : " >="));
        // The threshold is only a hint for a first guess: a wrong one changes nothing.
        EXPECT_EQ(scorer->score_change_ms(buyer.c, buyer.f, ScoreId::kPAlive, *holds, threshold / 3,
                                          buyer.now),
                  solved);
        crossings += solved && *solved < buyer.horizon ? 1 : 0;
      }
    }
    // Purchase scores are solved only for a buyer.
    const std::function<bool(double)> any = [](double v) { return v > 0.5; };
    CustomerState browser;
    browser.first_event_ms = buyer.now.value();
    EXPECT_FALSE(scorer
                     ->score_change_ms(browser, compute_features(browser, buyer.now),
                                       ScoreId::kPAlive, any, 0.5, buyer.now)
                     .has_value());
  }
  EXPECT_GE(crossings, 8);  // 0.6, 0.3 and 0.05 are crossed within the horizon, either way.
}

TEST(ModelScorerTest, ExpectedOrdersAndClvCrossingsAreSolvedAtTheDayAnEvaluationWouldSeeThem) {
  // They were re-checked at every day boundary; like p_alive they never rise with T.
  const BuyerAtDay80 buyer;
  int crossings = 0;
  for (const auto& scorer : buyer.scorers) {
    for (const ScoreId id : {ScoreId::kExpectedOrders90d, ScoreId::kClv365d}) {
      const double value = at(scorer->score(buyer.c, buyer.f, buyer.now), id);
      ASSERT_GT(value, 0.0);
      // Below today's value (crossed sooner or later), above it (never: the score only falls).
      for (const double share : {0.9, 0.5, 0.1, 1.5}) {
        const double threshold = value * share;
        const std::function<bool(double)> below = [threshold](double v) { return v < threshold; };
        const std::function<bool(double)> above = [threshold](double v) { return v > threshold; };
        for (const auto* holds : {&below, &above}) {
          const std::optional<int64_t> solved = buyer.solved_as_scanned(
              *scorer, id, *holds, threshold,
              "score " + std::to_string(static_cast<int>(id)) + " threshold " +
                  std::to_string(threshold) + (holds == &below ? " <" : " >"));
          crossings += solved && *solved < buyer.horizon ? 1 : 0;
        }
      }
    }
  }
  EXPECT_GE(crossings, 12);  // The three shares below today's value, both ways, for both units.
}

TEST(ModelScorerTest, RfmRCrossingsAreSolvedToTheMillisecond) {
  auto scorer = ModelScorer::create(snapshot(TimeUnit::kDay));
  ASSERT_TRUE(scorer.has_value());
  const CustomerState c = testing::three_day_buyer();
  const TimestampMs now = testing::at_day(80.5);
  const FeatureVector f = compute_features(c, now);
  const auto rfm_r = [&](int64_t t) {
    const TimestampMs when{t};
    return at((*scorer)->score(c, compute_features(c, when), when), ScoreId::kRfmR);
  };
  // 30.5 days since the last purchase (day 50), past the cuts 5, 10, 20: 2 until past 40 days.
  ASSERT_EQ(rfm_r(now.value()), 2);
  const int64_t past_40_days = testing::at_day(90).value() + 1;
  for (const std::function<bool(double)>& holds :
       {std::function<bool(double)>([](double v) { return v >= 2; }),
        std::function<bool(double)>([](double v) { return v < 2; })}) {
    EXPECT_EQ((*scorer)->score_change_ms(c, f, ScoreId::kRfmR, holds, 2, now), past_40_days);
  }
  EXPECT_EQ(rfm_r(past_40_days - 1), 2);
  EXPECT_EQ(rfm_r(past_40_days), 1);
  // Recency only grows: 3 is never reached again; re-checked at the horizon.
  const std::function<bool(double)> three = [](double v) { return v >= 3; };
  EXPECT_EQ((*scorer)->score_change_ms(c, f, ScoreId::kRfmR, three, 3, now),
            now.value() + kScoreSearchMs);
}

TEST(ModelScorerTest, RulesReadingRfmRInAnyWayWakeWhereItsValueChanges) {
  // `rfm_r == 5` (an RFM cell, as marketers write them), `!=` and arithmetic were re-checked at
  // every day boundary; rfm_r never rises, so each can change only where its value does.
  auto scorer = ModelScorer::create(snapshot(TimeUnit::kDay));
  ASSERT_TRUE(scorer.has_value());
  CustomerState c = testing::three_day_buyer();
  const TimestampMs now = testing::at_day(80.5);
  const FeatureVector f = compute_features(c, now);
  const ScoreVector scores = (*scorer)->score(c, f, now);
  ASSERT_EQ(at(scores, ScoreId::kRfmR), 2);  // 1 from 40 days after the last purchase (day 50).
  const int64_t past_40_days = testing::at_day(90).value() + 1;
  for (const std::string rule : {"rfm_r == 2", "rfm_r != 2", "rfm_r == 1", "rfm_r * 10 > 15"}) {
    auto rules = RuleSet::compile({{"seg", rule, ""}});
    ASSERT_TRUE(rules.has_value()) << rules.error().message;
    CustomerState s = c;
    const Evaluation e = (*rules)->evaluate(
        s, f, scores, {now, (*scorer)->version(), CauseKind::kEvent, {}, scorer->get()});
    EXPECT_EQ(e.next_due_ms, past_40_days) << rule;
    EXPECT_TRUE(e.model_bound) << rule;
  }
  // From 1 on it never changes again: re-checked at the horizon.
  const TimestampMs later = TimestampMs{past_40_days};
  const FeatureVector later_f = compute_features(c, later);
  auto rules = RuleSet::compile({{"seg", "rfm_r == 1", ""}});
  ASSERT_TRUE(rules.has_value());
  const Evaluation e =
      (*rules)->evaluate(c, later_f, (*scorer)->score(c, later_f, later),
                         {later, (*scorer)->version(), CauseKind::kEvent, {}, scorer->get()});
  EXPECT_EQ(e.next_due_ms, later.value() + kScoreSearchMs);
}

TEST(ModelScorerTest, CreateRejectsInvalidSnapshots) {
  ModelSnapshot wrong_dim = snapshot(TimeUnit::kDay);
  wrong_dim.standardizer.mean.push_back(0.0);
  wrong_dim.standardizer.scale.push_back(1.0);
  for (auto& c : wrong_dim.centroids) {
    c.push_back(0.0);
  }
  auto r = ModelScorer::create(wrong_dim);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "invalid_model");
  ModelSnapshot no_version = snapshot(TimeUnit::kDay);
  no_version.version = 0;
  EXPECT_FALSE(ModelScorer::create(no_version).has_value());
}

// A browser with a 10-day rhythm (two sessions, days 0 and 10), and a model whose centroids lie
// along log1p_overdue only (the other coordinates are the customer's own): 0 at 0, 1 at 1.5, 2 at
// 3. The customer is nearer to 1 from about 11.17 days idle (day 21.17), and to 2 from about
// 84.87 (day 94.87).
struct IdleCluster {
  CustomerState c;
  std::shared_ptr<const ModelScorer> scorer;

  IdleCluster() {
    c.customer_id = "browser";
    c.first_event_ms = testing::at_day(0).value();
    c.last_event_ms = testing::at_day(10).value();
    c.sessions_total = 2;
    c.counts[0] = 6;
    const ClusterVector raw =
        cluster_features(c, compute_features(c, testing::at_day(10)), testing::at_day(10));
    ModelSnapshot s = snapshot(TimeUnit::kDay);
    s.centroids.clear();
    for (const double overdue : {0.0, 1.5, 3.0}) {
      models::Point centroid(raw.begin(), raw.end());
      centroid[2] = overdue;
      s.centroids.push_back(centroid);
    }
    s.centroid_weights.assign(3, 1.0);
    scorer = ModelScorer::create(s).value();
  }

  // Days since testing::at_day(0) of a time.
  static int64_t day(int64_t ms) { return day_of(TimestampMs{ms}) - day_of(testing::at_day(0)); }
};

TEST(ModelScorerTest, ClusterChangesAreSolvedAtTheDayAnEvaluationWouldSeeThem) {
  // They were re-checked at every day boundary.
  const IdleCluster idle;
  const std::function<bool(double)> unused = [](double) { return false; };
  std::vector<int64_t> solved_days;
  for (const double day : {10.0, 15.5, 21.0, 21.2, 60.0, 94.0, 96.7, 300.0}) {
    const TimestampMs now = testing::at_day(day);
    const FeatureVector f = compute_features(idle.c, now);
    const double cluster = at(idle.scorer->score(idle.c, f, now), ScoreId::kCluster);
    const std::function<bool(double)> same = [cluster](double v) { return v == cluster; };
    const std::optional<int64_t> solved =
        idle.scorer->score_change_ms(idle.c, f, ScoreId::kCluster, unused, 0, now);
    ASSERT_TRUE(solved.has_value()) << day;
    EXPECT_EQ(*solved, first_change_by_day(*idle.scorer, idle.c, now, ScoreId::kCluster, same))
        << day;
    solved_days.push_back(IdleCluster::day(*solved));
  }
  // Cluster 1 from the boundary of day 22, cluster 2 from day 95, then none other within the
  // horizon.
  const std::vector<int64_t> expected = {
      22, 22, 22, 95, 95, 95, 96 + kScoreSearchDays, 300 + kScoreSearchDays};
  EXPECT_EQ(solved_days, expected);
}

TEST(ModelScorerTest, ClusterDistanceCrossingsAreSolvedWithinTheCluster) {
  // They were re-checked at every day boundary. The distance is |overdue - centroid's| here: it
  // falls towards each centroid and rises past it (cluster 1's at day 44.8, cluster 2's at day
  // 200.9), so a comparison can flip twice within one cluster; after the cluster changes the
  // distance is to another centroid, and the customer is re-checked there.
  const IdleCluster idle;
  const std::function<bool(double)> unused = [](double) { return false; };
  int flips_within = 0;
  for (const double day : {10.0, 15.5, 21.5, 30.0, 44.5, 60.0, 94.0, 96.7, 150.0, 300.0}) {
    const TimestampMs now = testing::at_day(day);
    const FeatureVector f = compute_features(idle.c, now);
    const int64_t leaves =
        *idle.scorer->score_change_ms(idle.c, f, ScoreId::kCluster, unused, 0, now);
    for (const double threshold : {0.1, 0.3, 0.5, 0.7, 1.0, 2.0}) {
      const std::function<bool(double)> below = [threshold](double v) { return v < threshold; };
      const std::function<bool(double)> at_least = [threshold](double v) { return v >= threshold; };
      for (const auto* holds : {&below, &at_least}) {
        const std::optional<int64_t> solved = idle.scorer->score_change_ms(
            idle.c, f, ScoreId::kClusterDistance, *holds, threshold, now);
        ASSERT_TRUE(solved.has_value());
        const int64_t scanned =
            first_change_by_day(*idle.scorer, idle.c, now, ScoreId::kClusterDistance, *holds);
        const std::string what = "day " + std::to_string(day) + (holds == &below ? " < " : " >= ") +
                                 std::to_string(threshold);
        if (scanned < leaves) {
          EXPECT_EQ(*solved, scanned) << what;
          flips_within += 1;
        } else {
          EXPECT_EQ(*solved, leaves) << what;
        }
      }
    }
  }
  EXPECT_GE(flips_within, 40);
}

TEST(ModelScorerTest, RulesReadingTheClusterWakeWhereTheAssignmentChanges) {
  // Whatever the comparison, the timer is the day the assignment changes, and a distance's where
  // it crosses its threshold (both were the next day boundary, every day).
  const IdleCluster idle;
  const TimestampMs now = testing::at_day(15.5);
  const FeatureVector f = compute_features(idle.c, now);
  const ScoreVector scores = idle.scorer->score(idle.c, f, now);
  for (const std::string rule :
       {"cluster == 1", "cluster != 0", "cluster >= 1", "cluster * 2 > 1"}) {
    auto rules = RuleSet::compile({{"seg", rule, ""}});
    ASSERT_TRUE(rules.has_value()) << rules.error().message;
    CustomerState s = idle.c;
    const Evaluation e = (*rules)->evaluate(
        s, f, scores, {now, idle.scorer->version(), CauseKind::kEvent, {}, idle.scorer.get()});
    ASSERT_TRUE(e.next_due_ms.has_value()) << rule;
    EXPECT_EQ(IdleCluster::day(*e.next_due_ms), 22) << rule;
    EXPECT_TRUE(e.model_bound) << rule;
  }
  // The distance to cluster 0's centroid passes 0.5 at idle 6.49 days, day 16.49.
  auto distance_rule = RuleSet::compile({{"seg", "cluster_distance > 0.5", ""}});
  ASSERT_TRUE(distance_rule.has_value());
  CustomerState s = idle.c;
  const Evaluation e =
      (*distance_rule)
          ->evaluate(s, f, scores,
                     {now, idle.scorer->version(), CauseKind::kEvent, {}, idle.scorer.get()});
  ASSERT_TRUE(e.next_due_ms.has_value());
  EXPECT_EQ(IdleCluster::day(*e.next_due_ms), 17);
}

}  // namespace
}  // namespace segd::core::scoring
