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
            at_day(30.5).value() + 1);
  EXPECT_EQ(next_due("page_views_decayed_7d * 2 > 1", s, at_day(0.5), no_scores(), 0),
            at_day(7.5).value());
}

// Whether `rule` holds for `s` at `t` (it makes a non-member enter).
bool holds(const std::string& rule, CustomerState s, TimestampMs t) {
  auto rules = RuleSet::compile({{"seg", rule, ""}});
  EXPECT_TRUE(rules.has_value()) << rules.error().message;
  s.segments.clear();
  const FeatureVector features = compute_features(s, t);
  return !(*rules)
              ->evaluate(s, features, no_scores(), {t, 0, CauseKind::kEvent, {}})
              .changes.empty();
}

// Checks that the customer's timer is the first millisecond after `at` at which `rule` changes:
// the value it has at `at` at the millisecond before and at 100 points spread before that, the
// other one at the timer. Without a timer, the value stays for years.
void expect_timer_at_first_change(const std::string& rule, const CustomerState& s, TimestampMs at) {
  const std::optional<int64_t> due = next_due(rule, s, at, no_scores(), 0);
  const bool before = holds(rule, s, at);
  if (!due) {
    for (const double days : {0.01, 1.0, 30.0, 365.0, 3000.0}) {
      const TimestampMs t{at.value() + static_cast<int64_t>(days * kMsPerDay)};
      EXPECT_EQ(holds(rule, s, t), before) << rule << ": changed at " << t.value() << ", no timer";
    }
    return;
  }
  ASSERT_GT(*due, at.value()) << rule;
  EXPECT_NE(holds(rule, s, TimestampMs{*due}), before) << rule << ": no change at " << *due;
  EXPECT_EQ(holds(rule, s, TimestampMs{*due - 1}), before) << rule << ": changed before " << *due;
  for (int64_t i = 1; i < 100; ++i) {
    const TimestampMs t{at.value() + (*due - at.value()) * i / 100};
    EXPECT_EQ(holds(rule, s, t), before)
        << rule << ": changed before " << *due << " at " << t.value();
  }
}

TEST(RuleSetTest, ArithmeticOnValuesThatMoveOneWayIsSolvedToTheMillisecond) {
  // Before, a continuous value inside arithmetic was re-checked daily: up to a day late.
  const CustomerState carted = customer({make_event(EventType::kAddToCart, at_day(0.5))});
  EXPECT_EQ(next_due("minutes_since_last_cart / 60 > 2", carted, at_day(0.5), no_scores(), 0),
            at_day(0.5).value() + 2 * 60 * kMsPerMinute + 1);
  EXPECT_EQ(next_due("-minutes_since_last_cart <= -90", carted, at_day(0.55), no_scores(), 0),
            at_day(0.5).value() + 90 * kMsPerMinute);
  const CustomerState buyer =
      customer({make_purchase(at_day(0.25), 10, "o1"), make_purchase(at_day(3.5), 20, "o2"),
                make_event(EventType::kProductView, at_day(3.6)),
                make_event(EventType::kProductView, at_day(3.7)),
                make_event(EventType::kPageView, at_day(3.7)),
                make_event(EventType::kAddToCart, at_day(3.8))});
  for (const char* rule : {
           // Decayed counts only fall, clocks only rise, window counts only fall.
           "product_views_decayed_7d + page_views_decayed_1d >= 1.5",
           "product_views_decayed_7d + page_views_decayed_1d < 2",
           "days_since_last_purchase * 24 >= 36",
           "days_since_last_purchase - 2 * cart_adds_decayed_7d > 5",
           "10 - page_views_decayed_30d / 2 > 9.75",
           "min(orders_30d, orders_7d + 1) + orders_7d < 2",
           "max(days_since_first_seen, 3) / 2 == 5",
           "orders_90d * 100 != 200",
           "T + minutes_since_last_cart / 1440 > 9",
           "sessions_30d + product_views_decayed_1d <= 1",
       }) {
    for (const double day : {3.9, 4.5, 9.0, 20.0, 80.0, 400.0}) {
      expect_timer_at_first_change(rule, buyer, at_day(day));
    }
  }
  // Inside && and ||, the earliest of the sides that can still matter.
  expect_timer_at_first_change(
      "orders_total >= 2 && (days_since_last_purchase / 7 > 2 || cart_adds_decayed_1d * 4 < 1)",
      buyer, at_day(3.9));
}

TEST(RuleSetTest, ArithmeticThatCanMoveBothWaysIsRecheckedDaily) {
  const CustomerState s = customer(
      {make_purchase(at_day(0.25), 10, "o1"), make_event(EventType::kAddToCart, at_day(0.5))});
  for (const char* rule : {"abs(minutes_since_last_cart - 600) < 5",
                           "days_since_first_seen > days_since_last_purchase",
                           "minutes_since_last_cart * days_since_last_purchase > 100"}) {
    EXPECT_EQ(next_due(rule, s, at_day(0.5), no_scores(), 0), at_day(1.5).value()) << rule;
  }
  // A value that already went where it can only stay sets no timer.
  EXPECT_EQ(next_due("days_since_last_purchase * 2 > 0.1", s, at_day(0.5), no_scores(), 0),
            std::nullopt);
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
