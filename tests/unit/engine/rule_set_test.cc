// The wake-up analysis of RuleSet::evaluate(): when stream time alone can next flip a rule.
#include "core/segments/rule_set.h"

#include <gtest/gtest.h>

#include <random>

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

// evaluate()'s outcome for `rule` and `s` at `at`.
Evaluation evaluation(const std::string& rule,
                      CustomerState s,
                      TimestampMs at,
                      const ScoreVector& scores,
                      int64_t model_version) {
  auto rules = RuleSet::compile({{"seg", rule, ""}});
  EXPECT_TRUE(rules.has_value()) << rules.error().message;
  const FeatureVector features = compute_features(s, at);
  return (*rules)->evaluate(s, features, scores, {at, model_version, CauseKind::kEvent, {}});
}

// When time alone may flip `rule` for `s` at `at`, as evaluate() reports it.
std::optional<int64_t> next_due(const std::string& rule,
                                CustomerState s,
                                TimestampMs at,
                                const ScoreVector& scores,
                                int64_t model_version) {
  return evaluation(rule, std::move(s), at, scores, model_version).next_due_ms;
}

// Whether that timer is bound to the model version.
bool model_bound(const std::string& rule,
                 CustomerState s,
                 TimestampMs at,
                 const ScoreVector& scores,
                 int64_t model_version) {
  return evaluation(rule, std::move(s), at, scores, model_version).model_bound;
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

std::shared_ptr<const RuleSet> one_rule(const std::string& rule) {
  auto rules = RuleSet::compile({{"seg", rule, ""}});
  EXPECT_TRUE(rules.has_value()) << rule << ": " << rules.error().message;
  return rules.value_or(nullptr);
}

// Whether the rule holds for `s` at `t` (it makes a non-member enter).
bool holds(const RuleSet& rules, CustomerState s, TimestampMs t) {
  s.segments.clear();
  const FeatureVector features = compute_features(s, t);
  return !rules.evaluate(s, features, no_scores(), {t, 0, CauseKind::kEvent, {}}).changes.empty();
}

// Checks the customer's timer against the rule's values: the value it has at `at` at the
// millisecond before the timer and at 100 points spread before that, and (with
// `changes_at_due`) the other one at the timer; `==` and `!=` may wake early, where the value
// steps over the threshold without meeting it. Without a timer, the value stays for years.
void expect_timer_at_first_change(const std::string& rule,
                                  const CustomerState& s,
                                  TimestampMs at,
                                  bool changes_at_due = true) {
  const std::shared_ptr<const RuleSet> rules = one_rule(rule);
  ASSERT_NE(rules, nullptr);
  CustomerState evaluated = s;
  const std::optional<int64_t> due = rules
                                         ->evaluate(evaluated, compute_features(s, at), no_scores(),
                                                    {at, 0, CauseKind::kEvent, {}})
                                         .next_due_ms;
  const bool before = holds(*rules, s, at);
  if (!due) {
    for (const double days : {0.01, 1.0, 30.0, 365.0, 3000.0}) {
      const TimestampMs t{at.value() + static_cast<int64_t>(days * kMsPerDay)};
      EXPECT_EQ(holds(*rules, s, t), before)
          << rule << ": changed at " << t.value() << ", no timer";
    }
    return;
  }
  ASSERT_GT(*due, at.value()) << rule;
  // A comparison that has not flipped within 2^40 ms (or reads a value that is NaN for good) is
  // re-checked then: no change is due there.
  if (changes_at_due && *due != at.value() + (int64_t{1} << 40)) {
    EXPECT_NE(holds(*rules, s, TimestampMs{*due}), before) << rule << ": no change at " << *due;
  }
  EXPECT_EQ(holds(*rules, s, TimestampMs{*due - 1}), before) << rule << ": changed before " << *due;
  for (int64_t i = 1; i < 100; ++i) {
    const TimestampMs t{at.value() + (*due - at.value()) * i / 100};
    EXPECT_EQ(holds(*rules, s, t), before)
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
           "max(days_since_first_seen, 3) / 2 >= 5",
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
  // Scaled past the largest double, the sides' difference went -inf, NaN (inf - inf), +inf: it
  // flipped twice, and the timer at the second flip (3.48 days on) was late for the first (0.18).
  CustomerState viewer;
  viewer.customer_id = "v";
  for (int i = 0; i < 20; ++i) {
    apply_event_features(viewer, make_event(EventType::kPageView, at_day(0)));
  }
  EXPECT_EQ(next_due("days_since_first_seen * 1e308 * 10 - page_views_decayed_1d * 1e308 != 0",
                     viewer, at_day(0), no_scores(), 0),
            at_day(1).value());
  // Infinity times 0 is NaN: false until the 1-day count is small enough, then true (day 6.8).
  EXPECT_EQ(next_due("page_views_decayed_1d * 1e308 * 10 * 0 + page_views_decayed_7d > 5", viewer,
                     at_day(0), no_scores(), 0),
            at_day(1).value());
  // Only infinite, without NaN on the way, it is still solved: true for good, no timer.
  EXPECT_EQ(next_due("days_since_first_seen * 1e305 > 1", viewer, at_day(0.5), no_scores(), 0),
            std::nullopt);
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
  // When time can change something else too, the timer is that one's, bound to the model: the
  // engine fires it early when a model version becomes active.
  EXPECT_EQ(next_due("p_alive < 0.3 || days_since_last_purchase > 30", bought, at_day(0.5),
                     no_scores(), 0),
            at_day(30.5).value() + 1);
  EXPECT_TRUE(model_bound("p_alive < 0.3 || days_since_last_purchase > 30", bought, at_day(0.5),
                          no_scores(), 0));
  EXPECT_FALSE(model_bound("days_since_last_purchase > 30", bought, at_day(0.5), no_scores(), 0));
  // rfm_f and rfm_m read orders and money, no clock: under a model only a newer one changes them
  // (they were re-checked daily).
  ScoreVector rfm = no_scores();
  rfm[static_cast<size_t>(ScoreId::kRfmF)] = 2;
  rfm[static_cast<size_t>(ScoreId::kRfmM)] = 3;
  for (const char* rule : {"rfm_f >= 3", "rfm_m >= 5 || rfm_f < 2"}) {
    EXPECT_EQ(next_due(rule, bought, at_day(0.5), rfm, 1), kWhenAModelIsActive) << rule;
    EXPECT_TRUE(model_bound(rule, bought, at_day(0.5), rfm, 1)) << rule;
  }
  EXPECT_EQ(next_due("p_alive < 0.3 || minutes_since_last_cart > 60",
                     customer({make_purchase(at_day(0.5), 10, "o1"),
                               make_event(EventType::kAddToCart, at_day(0.5))}),
                     at_day(0.5), no_scores(), 0),
            at_day(0.5).value() + 60 * kMsPerMinute + 1);
}

// Random rules of the kind solved exactly: one side built from values that only rise, the other
// from values that only fall (or a number), both maybe negated, with `+`, `min`, `max`, `*` and
// `/` by positive numbers; sometimes inside `&&` or `||` with a time-free comparison.
class MonotoneRuleGenerator {
 public:
  explicit MonotoneRuleGenerator(uint64_t seed) : rng_(seed) {}

  // The rule, and whether its value must change exactly at the timer (not for `==`, `!=`).
  std::pair<std::string, bool> next() {
    static const std::vector<std::string> kRising = {
        "days_since_last_purchase", "minutes_since_last_cart", "days_since_first_seen", "T"};
    static const std::vector<std::string> kFalling = {"page_views_decayed_1d",
                                                      "product_views_decayed_7d",
                                                      "cart_adds_decayed_30d",
                                                      "searches_decayed_1d",
                                                      "orders_7d",
                                                      "orders_30d",
                                                      "sessions_30d"};
    static const std::vector<std::string> kOps = {"<", "<=", ">", ">=", "==", "!="};
    std::string lhs = side(kRising, 2);
    std::string rhs = coin(0.3) ? number() : side(kFalling, 2);
    if (coin(0.5)) {
      lhs = "-(" + lhs + ")";
      rhs = "-(" + rhs + ")";
    }
    if (coin(0.5)) {
      std::swap(lhs, rhs);
    }
    const std::string& op = pick(kOps);
    std::string rule = lhs + " " + op + " " + rhs;
    if (coin(0.3)) {
      rule = "(" + rule + ") " + (coin(0.5) ? "&&" : "||") + " orders_total " +
             (coin(0.5) ? ">=" : "<") + " 1";
    }
    return {rule, op != "==" && op != "!="};
  }

 private:
  bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  const std::string& pick(const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng_)];
  }

  std::string number() {
    static const std::vector<std::string> kNumbers = {"0",  "0.5", "1",  "2",  "3",   "5",
                                                      "10", "30",  "45", "90", "400", "2000"};
    return pick(kNumbers);
  }

  std::string side(const std::vector<std::string>& values, int depth) {
    if (depth == 0 || coin(0.35)) {
      return pick(values);
    }
    const std::string a = side(values, depth - 1);
    switch (std::uniform_int_distribution<int>(0, 5)(rng_)) {
      case 0:
        return "(" + a + " + " + side(values, depth - 1) + ")";
      case 1:
        return "min(" + a + ", " + side(values, depth - 1) + ")";
      case 2:
        return "max(" + a + ", " + (coin(0.5) ? number() : side(values, depth - 1)) + ")";
      case 3:
        return "(" + a + " * " + number() + ")";
      case 4:
        return "(" + a + " / " + (coin(0.5) ? "7" : "0.25") + ")";
      default:
        return "(" + a + " - " + number() + ")";
    }
  }

  std::mt19937_64 rng_;
};

TEST(RuleSetTest, RandomRulesOfValuesThatMoveOneWayGetTheirFirstChangeAsTimer) {
  const std::vector<CustomerState> customers = {
      customer({make_purchase(at_day(0.25), 10, "o1"), make_purchase(at_day(2.5), 20, "o2"),
                make_event(EventType::kProductView, at_day(2.6)),
                make_event(EventType::kPageView, at_day(2.7)),
                make_event(EventType::kAddToCart, at_day(2.8)),
                make_event(EventType::kSearch, at_day(2.9))}),
      customer({make_event(EventType::kPageView, at_day(1.0)),
                make_event(EventType::kProductView, at_day(1.1))}),  // Never bought, no cart.
      customer({make_purchase(at_day(0.5), 5, "o1"), make_purchase(at_day(1.5), 5, "o2"),
                make_purchase(at_day(1.7), 5, "o3"), make_event(EventType::kAddToCart, at_day(3))}),
  };
  MonotoneRuleGenerator gen(20261202);
  for (int i = 0; i < 300; ++i) {
    const auto [rule, exact] = gen.next();
    for (const CustomerState& s : customers) {
      for (const double day : {3.0, 3.4, 6.0, 40.0}) {
        ASSERT_NO_FATAL_FAILURE(expect_timer_at_first_change(rule, s, at_day(day), exact));
      }
    }
  }
}

}  // namespace
}  // namespace segd::core
