// What RuleSet reports besides membership: the values that decided a change, and explain().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/features/feature_update.h"
#include "core/features/feature_values.h"
#include "core/segments/rule_set.h"
#include "support/builders.h"

namespace segd::core {
namespace {

using testing::at_day;
using testing::make_event;
using testing::make_purchase;

std::shared_ptr<const RuleSet> rules(std::vector<SegmentDefinition> definitions) {
  auto compiled = RuleSet::compile(std::move(definitions));
  EXPECT_TRUE(compiled.has_value()) << compiled.error().message;
  return *compiled;
}

// The changes of evaluating `s` at `at` (an event's evaluation, no model).
std::vector<SegmentChange> evaluate(const RuleSet& r, CustomerState& s, TimestampMs at) {
  return r.evaluate(s, compute_features(s, at), no_scores(), {at, 0, CauseKind::kEvent, "e"})
      .changes;
}

// min() and max() of a missing value are missing, in either argument order: std::min and
// std::max returned the first argument, so `max(0, minutes_since_last_cart) >= 0` held for a
// customer who never added to a cart and `max(minutes_since_last_cart, 0) >= 0` did not.
TEST(RuleValuesTest, MinAndMaxOfAMissingValueAreMissingInEitherOrder) {
  const auto r = rules({{"max_first", "max(0, minutes_since_last_cart) >= 0", ""},
                        {"max_second", "max(minutes_since_last_cart, 0) >= 0", ""},
                        {"min_first", "min(5, days_since_last_purchase) < 10", ""},
                        {"min_second", "min(days_since_last_purchase, 5) < 10", ""}});
  CustomerState s;
  s.customer_id = "c1";
  apply_event_features(s, make_event(EventType::kPageView, at_day(1)));
  EXPECT_TRUE(evaluate(*r, s, at_day(1)).empty());
  Event add = make_event(EventType::kAddToCart, at_day(1.5));
  add.product_id = "p";
  apply_event_features(s, add);
  apply_event_features(s, make_purchase(at_day(1.5), 10, "o1"));
  EXPECT_EQ(evaluate(*r, s, at_day(1.5)).size(), 4u);
  EXPECT_EQ(s.segments,
            (std::vector<std::string>{"max_first", "max_second", "min_first", "min_second"}));
}

// A rule's affinity("x") lookups are among the values that decided it, under their text, sorted
// with the features by name (they were left out: a rule of affinity alone reported none).
TEST(RuleValuesTest, AffinityLookupsAreAmongTheDecidingValues) {
  const auto r = rules(
      {{"shoes", R"(affinity("shoes") >= 0.4 && product_views_total >= 1 && affinity("shoes") < 2)",
        ""}});
  CustomerState s;
  s.customer_id = "c1";
  Event view = make_event(EventType::kProductView, at_day(1));
  view.product_id = "p";
  view.category = "shoes";
  apply_event_features(s, view);
  const std::vector<SegmentChange> changes = evaluate(*r, s, at_day(1));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].values, (std::vector<DecidingValue>{{R"(affinity("shoes"))", 1.0},
                                                           {"product_views_total", 1.0}}));
  const std::vector<SegmentChange> why =
      r->explain(s, compute_features(s, at_day(1)), no_scores(), at_day(1));
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0].values, changes[0].values);
}

// A member of a segment with an exit rule stays while the exit rule is false: explain() says so
// (it showed the enter rule, false by then, as the reason for the membership).
TEST(RuleValuesTest, ExplainOfAMemberHeldByHysteresisShowsTheExitRule) {
  const auto r = rules({{"big", "monetary_365d >= 1000", "monetary_365d < 800"},
                        {"buyer", "orders_total >= 1", ""}});
  CustomerState s;
  s.customer_id = "c1";
  apply_event_features(s, make_purchase(at_day(1), 1200, "o1"));
  ASSERT_EQ(evaluate(*r, s, at_day(1)).size(), 2u);
  Event refund = make_event(EventType::kRefund, at_day(2));
  refund.order_id = "o1";
  refund.amount = 300;
  apply_event_features(s, refund);
  EXPECT_TRUE(evaluate(*r, s, at_day(2)).empty());
  const std::vector<SegmentChange> why =
      r->explain(s, compute_features(s, at_day(2)), no_scores(), at_day(2));
  ASSERT_EQ(why.size(), 2u);
  EXPECT_EQ(why[0].segment, "big");
  EXPECT_EQ(why[0].reason, "!(monetary_365d < 800)");
  EXPECT_EQ(why[0].values, (std::vector<DecidingValue>{{"monetary_365d", 900.0}}));
  EXPECT_EQ(why[1].reason, "orders_total >= 1");
}

}  // namespace
}  // namespace segd::core
