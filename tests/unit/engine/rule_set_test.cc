// The wake-up analysis of RuleSet::evaluate(): when stream time alone can next flip a rule.
#include "core/segments/rule_set.h"

#include <gtest/gtest.h>

#include "core/features/feature_update.h"
#include "core/features/feature_values.h"
#include "support/builders.h"

namespace segd::core {
namespace {

using testing::at_day;
using testing::make_event;
using testing::make_purchase;

// The customer "c1" after `events`.
CustomerState customer(const std::vector<Event>& events) {
  CustomerState s;
  s.customer_id = "c1";
  for (const Event& e : events) {
    apply_event_features(s, e);
  }
  return s;
}

// The scores of an active model (version 1) that puts the customer in cluster 3.
ScoreVector cluster_three() {
  ScoreVector v = no_scores();
  v[static_cast<size_t>(ScoreId::kCluster)] = 3;
  v[static_cast<size_t>(ScoreId::kClusterDistance)] = 0.5;
  return v;
}

// When time alone may flip `rule` for `s` at `at`, as evaluate() reports it.
std::optional<int64_t> next_due(const std::string& rule,
                                CustomerState s,
                                TimestampMs at,
                                const ScoreVector& scores,
                                int64_t model_version) {
  auto rules = RuleSet::compile({{"seg", rule, ""}});
  EXPECT_TRUE(rules.has_value()) << rules.error().message;
  const FeatureVector features = compute_features(s, at);
  return (*rules)
      ->evaluate(s, features, scores, {at, model_version, CauseKind::kEvent, {}})
      .next_due_ms;
}

int64_t next_midnight(TimestampMs at) { return (day_of(at) + 1) * kMsPerDay; }

TEST(RuleSetTest, ClusterOfACustomerWhoNeverBoughtIsRecheckedDailyUnderAModel) {
  // The cluster reads the days since the last event (log1p_overdue): it moves for everyone.
  const CustomerState never_bought = customer({make_event(EventType::kPageView, at_day(0.5))});
  for (const char* rule : {"cluster == 3", "cluster_distance < 0.3"}) {
    EXPECT_EQ(next_due(rule, never_bought, at_day(0.5), cluster_three(), 1),
              next_midnight(at_day(0.5)))
        << rule;
  }
  const CustomerState bought = customer({make_purchase(at_day(0.5), 10, "o1")});
  EXPECT_EQ(next_due("cluster == 3", bought, at_day(0.5), cluster_three(), 1),
            next_midnight(at_day(0.5)));
}

TEST(RuleSetTest, PurchaseScoresOfACustomerWhoNeverBoughtNeverWake) {
  // NaN for a customer who never bought, whatever the time: nothing to wait for.
  const CustomerState never_bought = customer({make_event(EventType::kPageView, at_day(0.5))});
  for (const char* rule : {"p_alive < 0.3", "clv_365d > 10", "rfm_r >= 4"}) {
    EXPECT_EQ(next_due(rule, never_bought, at_day(0.5), cluster_three(), 1), std::nullopt) << rule;
  }
}

TEST(RuleSetTest, UndefinedClocksAndCountsThatAreZeroNeverWake) {
  // Inside arithmetic these fell back to a daily re-check, forever: NaN (never bought, never
  // added to a cart) and 0 (never searched) stay what they are while only time passes.
  const CustomerState s = customer({make_event(EventType::kPageView, at_day(0.5))});
  for (const char* rule : {"days_since_last_purchase + 0 > 30", "minutes_since_last_cart / 60 > 1",
                           "searches_decayed_7d * 2 > 1"}) {
    EXPECT_EQ(next_due(rule, s, at_day(0.5), no_scores(), 0), std::nullopt) << rule;
  }
  // Defined ones still do.
  EXPECT_EQ(next_due("days_since_first_seen + 0 > 30", s, at_day(0.5), no_scores(), 0),
            at_day(1.5).value());
  EXPECT_EQ(next_due("page_views_decayed_7d * 2 > 1", s, at_day(0.5), no_scores(), 0),
            at_day(1.5).value());
}

TEST(RuleSetTest, ScoresWithoutAModelWaitForOne) {
  // Every score is NaN until a model is active, and only a model version changes that.
  const CustomerState bought = customer({make_purchase(at_day(0.5), 10, "o1")});
  const CustomerState never_bought = customer({make_event(EventType::kPageView, at_day(0.5))});
  EXPECT_EQ(next_due("p_alive < 0.3", bought, at_day(0.5), no_scores(), 0), kWhenAModelIsActive);
  EXPECT_EQ(next_due("cluster == 3", never_bought, at_day(0.5), no_scores(), 0),
            kWhenAModelIsActive);
  EXPECT_EQ(next_due("p_alive < 0.3", never_bought, at_day(0.5), no_scores(), 0), std::nullopt);
  // Under one, the buyer's p_alive moves with T.
  ScoreVector scored = no_scores();
  scored[static_cast<size_t>(ScoreId::kPAlive)] = 0.5;
  EXPECT_EQ(next_due("p_alive < 0.3", bought, at_day(0.5), scored, 1), next_midnight(at_day(0.5)));
  // When time can change something else too, the customer is re-checked daily until then, as
  // under a model (a model may come in between): never later than either.
  EXPECT_EQ(next_due("p_alive < 0.3 || days_since_last_purchase > 30", bought, at_day(0.5),
                     no_scores(), 0),
            next_midnight(at_day(0.5)));
  EXPECT_EQ(next_due("p_alive < 0.3 || minutes_since_last_cart > 60",
                     customer({make_purchase(at_day(0.5), 10, "o1"),
                               make_event(EventType::kAddToCart, at_day(0.5))}),
                     at_day(0.5), no_scores(), 0),
            at_day(0.5).value() + 60 * kMsPerMinute + 1);
}

}  // namespace
}  // namespace segd::core
