#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/features/feature_update.h"
#include "core/features/feature_values.h"
#include "support/builders.h"

namespace segd::core {
namespace {

using testing::at_day;
using testing::make_event;
using testing::make_purchase;

CustomerState fresh() {
  CustomerState s;
  s.customer_id = "c1";
  return s;
}

double value(const CustomerState& s, FeatureId id, TimestampMs at) {
  return compute_features(s, at)[static_cast<size_t>(id)];
}

TEST(FeaturesTest, TrailingWindowsAreExactByDay) {
  CustomerState s = fresh();
  for (double day : {0.0, 10.0, 40.0, 100.5}) {
    apply_event_features(s, make_purchase(at_day(day), 10.0, "o" + std::to_string(day)));
  }
  const auto now = at_day(100.9);
  EXPECT_EQ(value(s, FeatureId::kOrders7d, now), 1);
  EXPECT_EQ(value(s, FeatureId::kOrders30d, now), 1);
  EXPECT_EQ(value(s, FeatureId::kOrders90d, now), 2);  // Days 40 and 100; day 10 is out.
  EXPECT_EQ(value(s, FeatureId::kOrders365d, now), 4);
  EXPECT_EQ(value(s, FeatureId::kMonetary90d, now), 20.0);
  EXPECT_EQ(value(s, FeatureId::kOrdersTotal, now), 4);
}

TEST(FeaturesTest, WindowExpiresAtDayBoundaryAndSchedulesStep) {
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(3.5), 10.0, "o1"));
  EXPECT_EQ(value(s, FeatureId::kOrders7d, at_day(9.99)), 1);
  EXPECT_EQ(value(s, FeatureId::kOrders7d, at_day(10.0)), 0);
  EXPECT_EQ(next_step_ms(s, FeatureId::kOrders7d, at_day(4)), at_day(10).value());
  EXPECT_EQ(next_step_ms(s, FeatureId::kOrders7d, at_day(10)), std::nullopt);
}

TEST(FeaturesTest, RefundsReduceMonetaryValues) {
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(1), 100.0, "o1"));
  Event refund = make_event(EventType::kRefund, at_day(2));
  refund.order_id = "o1";
  refund.amount = 30.0;
  apply_event_features(s, refund);
  const auto now = at_day(2.5);
  EXPECT_EQ(value(s, FeatureId::kMonetaryTotal, now), 70.0);
  EXPECT_EQ(value(s, FeatureId::kMonetary7d, now), 70.0);
  EXPECT_EQ(value(s, FeatureId::kAvgOrderValue, now), 70.0);
  EXPECT_EQ(value(s, FeatureId::kRefundsTotal, now), 1);
  EXPECT_EQ(value(s, FeatureId::kOrdersTotal, now), 1);
}

TEST(FeaturesTest, DecayedCountsAreOrderIndependent) {
  CustomerState in_order = fresh();
  CustomerState late = fresh();
  const Event a = make_event(EventType::kPageView, at_day(0));
  const Event b = make_event(EventType::kPageView, at_day(1));
  apply_event_features(in_order, a);
  apply_event_features(in_order, b);
  apply_event_features(late, b);
  apply_event_features(late, a);
  const auto now = at_day(2);
  for (FeatureId id :
       {FeatureId::kPageViews1d, FeatureId::kPageViews7d, FeatureId::kPageViews30d}) {
    EXPECT_NEAR(value(in_order, id, now), value(late, id, now), 1e-12);
  }
  // Half-life one day: at day 2 the views are 2 and 1 days old.
  EXPECT_NEAR(value(in_order, FeatureId::kPageViews1d, now), 0.25 + 0.5, 1e-12);
  EXPECT_EQ(value(late, FeatureId::kPageViewsTotal, now), 2);
}

TEST(FeaturesTest, DecayedCrossingIsSolvedExactly) {
  CustomerState s = fresh();
  apply_event_features(s, make_event(EventType::kPageView, at_day(0)));
  const auto below = [](double t) { return [t](double v) { return v < t; }; };
  // 1 view, half-life 1 day: falls to 0.25 after exactly 2 days.
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, below(0.25), 0.25, at_day(0)),
            at_day(2).value() + 1);  // `< 0.25` turns true just after the value reaches 0.25.
  const auto at_most = [](double t) { return [t](double v) { return v <= t; }; };
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, at_most(0.25), 0.25, at_day(0)),
            at_day(2).value());
  // Decay never rises back over a threshold it is below.
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, below(2.0), 2.0, at_day(0)),
            std::nullopt);
}

TEST(FeaturesTest, ADecayedCountReachesZeroWhereItUnderflows) {
  CustomerState s = fresh();
  apply_event_features(s, make_event(EventType::kPageView, at_day(0)));
  const auto positive = [](double v) { return v > 0; };
  const std::optional<int64_t> t =
      comparison_change_ms(s, FeatureId::kPageViews1d, positive, 0, at_day(0));
  // log2(x / 0) is infinite, but exp2() underflows to exactly 0 after about 1075 half-lives.
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(timed_value(s, FeatureId::kPageViews1d, TimestampMs{*t}), 0.0);
  EXPECT_GT(timed_value(s, FeatureId::kPageViews1d, TimestampMs{*t - 1}), 0.0);
  EXPECT_NEAR(static_cast<double>(*t - at_day(0).value()) / kMsPerDay, 1075, 1);
  const auto zero = [](double v) { return v == 0; };
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, zero, 0, at_day(0)), t);
  // From there on it stays 0: nothing more to wake for, nor for `>= 0` or `< 0` ever.
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, positive, 0, TimestampMs{*t}),
            std::nullopt);
  const auto not_negative = [](double v) { return v >= 0; };
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kPageViews1d, not_negative, 0, at_day(0)),
            std::nullopt);
}

TEST(FeaturesTest, SubnormalThresholdsAreCrossedAtTheFirstMillisecondBeyondThem) {
  CustomerState s = fresh();
  for (int i = 0; i < 3; ++i) {
    apply_event_features(s, make_event(EventType::kPageView, at_day(0)));
  }
  for (const FeatureId id : {FeatureId::kPageViews1d, FeatureId::kPageViews7d}) {
    for (const double threshold : {2.2e-308, 1e-310, 1e-320, 1e-323, 4.9e-324}) {
      const auto above = [threshold](double v) { return v > threshold; };
      const std::optional<int64_t> t = comparison_change_ms(s, id, above, threshold, at_day(0));
      if (!t) {
        ADD_FAILURE() << "no crossing of " << threshold;
        continue;
      }
      EXPECT_FALSE(above(timed_value(s, id, TimestampMs{*t}))) << threshold;
      EXPECT_TRUE(above(timed_value(s, id, TimestampMs{*t - 1}))) << threshold;
    }
  }
}

TEST(FeaturesTest, LinearClockChangesAComparisonOnceAndNeverAgain) {
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(1), 10.0, "o1"));
  const auto less_than_7 = [](double v) { return v < 7; };
  const std::optional<int64_t> t =
      comparison_change_ms(s, FeatureId::kDaysSinceLastPurchase, less_than_7, 7, at_day(2));
  EXPECT_EQ(t, at_day(8).value());
  // At the crossing the comparison has flipped for good: no wake-ups one millisecond apart.
  EXPECT_EQ(
      comparison_change_ms(s, FeatureId::kDaysSinceLastPurchase, less_than_7, 7, TimestampMs{*t}),
      std::nullopt);
  const auto equals_7 = [](double v) { return v == 7; };
  EXPECT_EQ(
      comparison_change_ms(s, FeatureId::kDaysSinceLastPurchase, equals_7, 7, TimestampMs{*t}),
      *t + 1);
}

TEST(FeaturesTest, StepComparisonWakesAtTheStepThatFlipsIt) {
  CustomerState s = fresh();
  for (const double day : {1.0, 2.0, 3.0}) {
    apply_event_features(s, make_purchase(at_day(day), 10.0, "o" + std::to_string(day)));
  }
  // orders_7d is 3 until day 8; it drops below 2 when the day-2 purchase leaves, at day 9.
  const auto below_2 = [](double v) { return v < 2; };
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kOrders7d, below_2, 2, at_day(3.5)),
            at_day(9).value());
  // T (whole days since the first purchase) reaches 10 at the start of day 11.
  const auto t_at_least_10 = [](double v) { return v >= 10; };
  EXPECT_EQ(comparison_change_ms(s, FeatureId::kT, t_at_least_10, 10, at_day(3.5)),
            at_day(11).value());
}

TEST(FeaturesTest, TimedValueMatchesComputeFeaturesBitForBit) {
  CustomerState s = fresh();
  apply_event_features(s, make_event(EventType::kPageView, at_day(0.3)));
  apply_event_features(s, make_event(EventType::kAddToCart, at_day(0.4)));
  apply_event_features(s, make_purchase(at_day(0.5), 12.5, "o1"));
  for (int d = 1; d < 60; d += 3) {  // Money sums whose rounding depends on the order of terms.
    apply_event_features(s,
                         make_purchase(at_day(d + 0.5), 0.1 * d + 1e-7, "o" + std::to_string(d)));
  }
  for (const double day : {0.5, 0.77, 3.1, 40.0, 65.2, 100.0}) {
    const FeatureVector all = compute_features(s, at_day(day));
    for (size_t i = 0; i < kFeatureCount; ++i) {
      const auto id = static_cast<FeatureId>(i);
      const double v = timed_value(s, id, at_day(day));
      EXPECT_TRUE(v == all[i] || (std::isnan(v) && std::isnan(all[i])))
          << feature_info(id).name << " at day " << day;
    }
  }
}

// An event of each type, with every field its type uses.
Event event_of(EventType type, TimestampMs ts, const std::string& id) {
  Event e = make_event(type, ts, "c1", "e" + id);
  e.product_id = "p" + id.substr(0, 1);
  e.category = id.size() % 2 == 0 ? "books" : "toys";
  e.price = 12.5;
  e.quantity = 2;
  if (type == EventType::kPurchase || type == EventType::kRefund) {
    e.amount = 30.25;
    e.order_id = "o" + id;
    e.items = {LineItem{e.product_id, "garden", 1, 30.25}};
  }
  return e;
}

// Incremental rule evaluation keeps a rule through an event whose type is not in the
// changed_by of anything it reads: for such a type, every feature (and affinity()) must be bit for
// bit what it was, now and at any later time, in order or not.
TEST(FeaturesTest, AnEventChangesNoFeatureItsTypeIsNotListedFor) {
  constexpr std::array kTypes = {EventType::kPageView,       EventType::kProductView,
                                 EventType::kSearch,         EventType::kAddToCart,
                                 EventType::kRemoveFromCart, EventType::kPurchase,
                                 EventType::kRefund};
  CustomerState base = fresh();
  for (int i = 0; i < 60; ++i) {
    const EventType type = kTypes[static_cast<size_t>(i * 5 % 7)];
    apply_event_features(base, event_of(type, at_day(0.7 * i), std::to_string(i)));
  }
  for (const EventType type : kTypes) {
    for (const double day : {41.5, 42.0, 30.25, 2.0}) {  // After the last event, and late ones.
      CustomerState after = base;
      Event e = event_of(type, at_day(day), "x" + std::to_string(day));
      if (type == EventType::kRemoveFromCart) {
        ASSERT_FALSE(base.cart.empty());
        e.product_id = base.cart.back().product_id;  // Takes items out.
      }
      apply_event_features(after, e);
      const auto last = std::max(base.last_event_ms, after.last_event_ms);
      for (const int64_t later :
           {int64_t{0}, kMsPerHour, kMsPerDay, 7 * kMsPerDay, 45 * kMsPerDay, 400 * kMsPerDay}) {
        const TimestampMs at{last + later};
        const FeatureVector was = compute_features(base, at);
        const FeatureVector is = compute_features(after, at);
        for (size_t f = 0; f < kFeatureCount; ++f) {
          const FeatureInfo& info = feature_info(static_cast<FeatureId>(f));
          if ((info.changed_by & event_bit(type)) == 0) {
            EXPECT_TRUE(was[f] == is[f] || (std::isnan(was[f]) && std::isnan(is[f])))
                << info.name << " changed by " << event_type_name(type) << " at day " << day;
          }
        }
        if ((affinity_changed_by() & event_bit(type)) == 0) {
          for (const std::string_view category : {"books", "toys", "garden"}) {
            EXPECT_EQ(affinity(base, category), affinity(after, category))
                << "affinity(" << category << ") changed by " << event_type_name(type);
          }
        }
      }
    }
  }
}

TEST(FeaturesTest, AMaskComputesItsFeaturesExactlyAndLeavesSkippedGroupsNaN) {
  CustomerState s = fresh();
  apply_event_features(s, make_event(EventType::kProductView, at_day(0.2)));
  apply_event_features(s, make_event(EventType::kAddToCart, at_day(0.3)));
  apply_event_features(s, make_purchase(at_day(0.5), 12.5, "o1"));
  const FeatureVector all = compute_features(s, at_day(3));
  FeatureMask needed;
  for (const FeatureId id : {FeatureId::kOrders90d, FeatureId::kProductViews7d}) {
    needed.set(static_cast<size_t>(id));
  }
  const FeatureVector some = compute_features(s, at_day(3), needed);
  for (size_t i = 0; i < kFeatureCount; ++i) {
    if (needed[i]) {
      EXPECT_EQ(some[i], all[i]) << feature_info(static_cast<FeatureId>(i)).name;
    }
  }
  EXPECT_TRUE(std::isnan(some[static_cast<size_t>(FeatureId::kProductViews1d)]));
  EXPECT_TRUE(std::isnan(some[static_cast<size_t>(FeatureId::kSessions30d)]));
  EXPECT_TRUE(std::isnan(some[static_cast<size_t>(FeatureId::kCartValue)]));
  EXPECT_EQ(some[static_cast<size_t>(FeatureId::kOrdersTotal)], 1);  // Cheap ones are always set.
}

TEST(FeaturesTest, SessionsSplitOnThirtyMinuteGapsAndMergeOnLateEvents) {
  CustomerState s = fresh();
  const int64_t t0 = at_day(0).value();
  auto view = [&](int64_t minutes) {
    apply_event_features(
        s, make_event(EventType::kPageView, TimestampMs{t0 + minutes * kMsPerMinute}));
  };
  view(0);
  view(10);
  view(50);  // 40 minute gap: second session.
  EXPECT_EQ(s.sessions_total, 2);
  view(30);  // Late event within 30 min of both: one session 0..50.
  EXPECT_EQ(s.sessions_total, 1);
  EXPECT_DOUBLE_EQ(value(s, FeatureId::kAvgSessionMinutes, TimestampMs{t0 + 60 * kMsPerMinute}),
                   50.0);
  EXPECT_EQ(value(s, FeatureId::kSessions30d, at_day(30)), 1);
  EXPECT_EQ(value(s, FeatureId::kSessions30d, at_day(31)), 0);
}

TEST(FeaturesTest, CartOpenCountsItemsAddedSinceLastPurchase) {
  CustomerState s = fresh();
  Event add = make_event(EventType::kAddToCart, at_day(1));
  add.product_id = "p1";
  add.price = 10;
  add.quantity = 2;
  apply_event_features(s, add);
  add.product_id = "p2";
  add.ts = at_day(1.1);
  add.quantity = 1;
  apply_event_features(s, add);
  Event remove = make_event(EventType::kRemoveFromCart, at_day(1.2));
  remove.product_id = "p1";
  remove.quantity = 1;
  apply_event_features(s, remove);
  EXPECT_EQ(value(s, FeatureId::kCartOpen, at_day(1.3)), 2);
  EXPECT_EQ(value(s, FeatureId::kCartValue, at_day(1.3)), 20);
  EXPECT_NEAR(value(s, FeatureId::kMinutesSinceLastCart, at_day(1.2)), 0.1 * 24 * 60, 1e-6);
  apply_event_features(s, make_purchase(at_day(2), 20, "o1"));
  EXPECT_EQ(value(s, FeatureId::kCartOpen, at_day(2)), 0);
  add.ts = at_day(1.5);  // Late: before the purchase.
  apply_event_features(s, add);
  EXPECT_EQ(value(s, FeatureId::kCartOpen, at_day(2)), 0);
}

// More cart lines than a state keeps (kMaxCartLines): the oldest merge, no item is lost. The
// 33rd line used to push the oldest one out: 40 adds counted 32 items.
TEST(FeaturesTest, CartKeepsEveryItemBeyondItsLineLimit) {
  CustomerState s = fresh();
  for (int i = 0; i < 40; ++i) {
    Event add = make_event(EventType::kAddToCart, at_day(1 + i * 0.001));
    add.product_id = "p" + std::to_string(i);
    add.price = 1.5;
    add.quantity = 1 + i % 2;
    apply_event_features(s, add);
  }
  const auto now = at_day(1.5);
  EXPECT_LE(s.cart.size(), kMaxCartLines);
  EXPECT_EQ(value(s, FeatureId::kCartOpen, now), 60);
  EXPECT_EQ(value(s, FeatureId::kCartValue, now), 90);
  Event remove = make_event(EventType::kRemoveFromCart, at_day(1.2));
  remove.product_id = "p39";  // The newest line, kept as it was.
  remove.quantity = 2;
  apply_event_features(s, remove);
  remove.product_id = "p0";  // Merged with others: no longer found.
  apply_event_features(s, remove);
  EXPECT_EQ(value(s, FeatureId::kCartOpen, now), 58);
  EXPECT_EQ(value(s, FeatureId::kCartValue, now), 87);
  apply_event_features(s, make_purchase(at_day(1.3), 87, "o1"));
  EXPECT_EQ(value(s, FeatureId::kCartOpen, now), 0);
  EXPECT_EQ(value(s, FeatureId::kCartValue, now), 0);
}

// ts 0 (1970-01-01T00:00:00Z) is a valid event time: a cart add then is a cart add, not "never".
TEST(FeaturesTest, ACartAddAtTimeZeroCounts) {
  CustomerState s = fresh();
  Event add = make_event(EventType::kAddToCart, TimestampMs{0});
  add.product_id = "p1";
  add.price = 10;
  add.quantity = 1;
  apply_event_features(s, add);
  EXPECT_EQ(value(s, FeatureId::kCartOpen, TimestampMs{kMsPerMinute}), 1);
  EXPECT_DOUBLE_EQ(value(s, FeatureId::kMinutesSinceLastCart, TimestampMs{90 * kMsPerMinute}),
                   90.0);
  EXPECT_TRUE(std::isnan(value(fresh(), FeatureId::kMinutesSinceLastCart, TimestampMs{0})))
      << "never added to a cart";
}

TEST(FeaturesTest, AffinityIsABoundedShare) {
  CustomerState s = fresh();
  for (int i = 0; i < 20; ++i) {
    Event v = make_event(EventType::kProductView, at_day(i * 0.01));
    v.category = "cat" + std::to_string(i);
    apply_event_features(s, v);
  }
  Event shoes = make_event(EventType::kAddToCart, at_day(1));
  shoes.category = "shoes";
  shoes.product_id = "p";
  apply_event_features(s, shoes);
  EXPECT_LE(s.categories.size(), kMaxCategories);
  EXPECT_GT(affinity(s, "shoes"), 0.3);
  EXPECT_EQ(affinity(s, "unknown"), 0.0);
  double total = 0;
  for (const auto& c : s.categories) {
    total += affinity(s, c.category);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(FeaturesTest, DedupByOrderIdAndEventIdWithinBoundedMemory) {
  CustomerState s = fresh();
  EXPECT_EQ(remember_event(s, make_purchase(at_day(1), 5, "o1")), Novelty::kNew);
  EXPECT_EQ(remember_event(s, make_purchase(at_day(2), 5, "o1")), Novelty::kDuplicate);
  const Event v = make_event(EventType::kPageView, at_day(1), "c1", "e1");
  EXPECT_EQ(remember_event(s, v), Novelty::kNew);
  EXPECT_EQ(remember_event(s, v), Novelty::kDuplicate);
  EXPECT_EQ(remember_event(s, make_event(EventType::kPageView, at_day(1))), Novelty::kNew);
  EXPECT_EQ(remember_event(s, make_event(EventType::kPageView, at_day(1))), Novelty::kNew);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(remember_event(
                  s, make_event(EventType::kPageView, at_day(1), "c1", "x" + std::to_string(i))),
              Novelty::kNew);
  }
  EXPECT_EQ(s.recent_event_ids.size(), kMaxRecentEventIds);
  EXPECT_EQ(remember_event(s, v), Novelty::kNew);  // Forgotten: memory is bounded.
}

TEST(FeaturesTest, BgNbdSummaryUsesPurchaseDays) {
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(0.2), 5, "o1"));
  apply_event_features(s, make_purchase(at_day(0.4), 5, "o2"));  // Same day: not a repeat day.
  apply_event_features(s, make_purchase(at_day(10.1), 5, "o3"));
  const auto f = compute_features(s, at_day(20.5));
  EXPECT_EQ(f[static_cast<size_t>(FeatureId::kX)], 1);
  EXPECT_EQ(f[static_cast<size_t>(FeatureId::kTx)], 10);
  EXPECT_EQ(f[static_cast<size_t>(FeatureId::kT)], 20);
  EXPECT_NEAR(f[static_cast<size_t>(FeatureId::kDaysSinceLastPurchase)], 10.4, 1e-9);
  EXPECT_TRUE(std::isnan(compute_features(
      fresh(), at_day(1))[static_cast<size_t>(FeatureId::kDaysSinceLastPurchase)]));
}

// A purchase dated before the 366 kept day buckets cannot be checked against them: on the day of
// the first or the last purchase it is not a new purchase day (it was counted twice, x > t_x).
TEST(FeaturesTest, ALatePurchaseOnAnOldKnownPurchaseDayIsNotANewRepeatDay) {
  for (const bool first_arrives_late : {false, true}) {
    CustomerState s = fresh();
    if (!first_arrives_late) {
      apply_event_features(s, make_purchase(at_day(0.4), 10, "o1"));
    }
    apply_event_features(s, make_event(EventType::kPageView, at_day(424.4)));
    if (first_arrives_late) {
      apply_event_features(s, make_purchase(at_day(0.4), 10, "o1"));
    }
    apply_event_features(s, make_purchase(at_day(0.5), 20, "o2"));  // Same day, late.
    const auto f = compute_features(s, at_day(424.5));
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kX)], 0) << first_arrives_late;
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kTx)], 0) << first_arrives_late;
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kOrdersTotal)], 2);
  }
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(0.4), 10, "o1"));
  apply_event_features(s, make_purchase(at_day(5.4), 10, "o2"));
  apply_event_features(s, make_event(EventType::kPageView, at_day(424.4)));
  apply_event_features(s, make_purchase(at_day(5.5), 10, "o3"));  // The last purchase's day.
  apply_event_features(s, make_purchase(at_day(3.5), 10, "o4"));  // A new day between them.
  EXPECT_EQ(compute_features(s, at_day(424.5))[static_cast<size_t>(FeatureId::kX)], 2);
}

// Sessions of the last 31 days are all kept, however many: `sessions_30d` was capped at 64.
TEST(FeaturesTest, EverySessionOfTheLastThirtyDaysCounts) {
  CustomerState in_order = fresh();
  CustomerState late = fresh();
  const int64_t t0 = at_day(0).value();
  constexpr int kSessions = 70;
  for (int i = 0; i < kSessions; ++i) {  // One view an hour: 70 sessions of one event.
    apply_event_features(in_order,
                         make_event(EventType::kPageView, TimestampMs{t0 + i * kMsPerHour}));
    apply_event_features(late, make_event(EventType::kPageView, TimestampMs{t0 + i * kMsPerHour}));
  }
  const auto now = TimestampMs{t0 + kSessions * kMsPerHour};
  EXPECT_EQ(value(in_order, FeatureId::kSessions30d, now), kSessions);
  EXPECT_EQ(value(in_order, FeatureId::kSessionsTotal, now), kSessions);
  // A late view a minute after the first joins the first session in either order.
  apply_event_features(late, make_event(EventType::kPageView, TimestampMs{t0 + kMsPerMinute}));
  EXPECT_EQ(value(late, FeatureId::kSessions30d, now), kSessions);
  EXPECT_EQ(value(late, FeatureId::kSessionsTotal, now), kSessions);
  EXPECT_DOUBLE_EQ(value(late, FeatureId::kAvgSessionMinutes, now), 1.0 / kSessions);
  // The most sessions 31 days can hold (gaps just over 30 minutes) are all kept.
  CustomerState busy = fresh();
  const int64_t step = 30 * kMsPerMinute + 1;
  const int64_t count = 31 * kMsPerDay / step + 1;
  for (int64_t i = 0; i < count; ++i) {
    apply_event_features(busy, make_event(EventType::kPageView, TimestampMs{t0 + i * step}));
  }
  const auto end = TimestampMs{t0 + (count - 1) * step};
  EXPECT_EQ(busy.sessions.size(), static_cast<size_t>(count));
  EXPECT_LE(busy.sessions.size(), kMaxSessions);
  EXPECT_EQ(value(busy, FeatureId::kSessions30d, end),
            static_cast<double>(30 * kMsPerDay / step + 1));
}

// The features at day 1.5 after a purchase `o1` of `first` (day 1.1), a purchase `o2` of `second`
// (day 1.2) and a refund of `refunded` on o1 (day 1.3), applied in that order or `reversed`.
FeatureVector after_two_purchases_and_a_refund(double first,
                                               double second,
                                               double refunded,
                                               bool reversed) {
  Event refund = make_event(EventType::kRefund, at_day(1.3));
  refund.order_id = "o1";
  refund.amount = refunded;
  std::vector<Event> events = {make_purchase(at_day(1.1), first, "o1"),
                               make_purchase(at_day(1.2), second, "o2"), refund};
  if (reversed) {
    std::reverse(events.begin(), events.end());
  }
  CustomerState s = fresh();
  for (const Event& e : events) {
    apply_event_features(s, e);
  }
  return compute_features(s, at_day(1.5));
}

// Money adds up as decimals: purchases of 0.1 and 0.2 refunded by 0.3 leave exactly 0, in either
// order (binary doubles left 5.55e-17 or 2.78e-17, and `monetary_30d > 0` held).
TEST(FeaturesTest, MoneyIsExactToTheMicroUnitInAnyOrder) {
  for (const bool reversed : {false, true}) {
    const FeatureVector f = after_two_purchases_and_a_refund(0.1, 0.2, 0.3, reversed);
    for (const FeatureId id :
         {FeatureId::kMonetaryTotal, FeatureId::kMonetary7d, FeatureId::kMonetary30d,
          FeatureId::kMonetary365d, FeatureId::kAvgOrderValue}) {
      EXPECT_EQ(f[static_cast<size_t>(id)], 0.0) << feature_info(id).name << " " << reversed;
    }
  }
  CustomerState s = fresh();
  apply_event_features(s, make_purchase(at_day(1.1), 59.9, "o1"));
  apply_event_features(s, make_purchase(at_day(2.1), 119.8, "o2"));
  const auto f = compute_features(s, at_day(2.5));
  EXPECT_EQ(f[static_cast<size_t>(FeatureId::kMonetaryTotal)], 179.7);  // Not 179.70000000000002.
  EXPECT_EQ(f[static_cast<size_t>(FeatureId::kMonetary7d)], 179.7);
  Event add = make_event(EventType::kAddToCart, at_day(3));
  add.product_id = "p";
  add.price = 0.1;
  add.quantity = 3;
  apply_event_features(s, add);
  EXPECT_EQ(value(s, FeatureId::kCartValue, at_day(3)), 0.3);
}

// An amount with more than six decimals counts rounded to the micro-unit, so sums do not depend
// on the order: 290.7042365 + 0.000753 gave 290.70499 one way and 290.704989 the other.
TEST(FeaturesTest, AmountsWithMoreDecimalsCountRoundedInAnyOrder) {
  for (const bool reversed : {false, true}) {
    const FeatureVector f =
        after_two_purchases_and_a_refund(290.7042365, 0.000753, 0.0000004, reversed);
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kMonetaryTotal)], 290.70499) << reversed;
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kMonetary7d)], 290.70499) << reversed;
    EXPECT_EQ(f[static_cast<size_t>(FeatureId::kRefundAmountTotal)], 0.0) << reversed;
  }
}

// A cart line's value (quantity × price) counts rounded to the micro-unit, as every amount does:
// three lines of 0.0000004 summed 1.2e-6 and showed 0.000001, and two lines of 0.0000015 showed
// 0.000003 where each is 0.000002 (as a purchase of 0.0000015 counts in monetary_total).
TEST(FeaturesTest, CartLinesCountRoundedToTheMicroUnit) {
  const auto cart_value = [](double price, int lines, int64_t quantity) {
    CustomerState s = fresh();
    for (int i = 0; i < lines; ++i) {
      Event add = make_event(EventType::kAddToCart, at_day(1 + i * 0.001));
      add.product_id = "p" + std::to_string(i);
      add.price = price;
      add.quantity = quantity;
      apply_event_features(s, add);
    }
    return value(s, FeatureId::kCartValue, at_day(2));
  };
  EXPECT_EQ(cart_value(0.0000004, 3, 1), 0.0);
  EXPECT_EQ(cart_value(0.0000015, 2, 1), 0.000004);
  EXPECT_EQ(cart_value(0.0000015, 2, 3), 0.00001);  // 4.5e-6 a line: 0.000005 each.
  // Merged lines (past 32) keep their rounded values: 40 lines of 0.0000015 are 40 × 0.000002.
  EXPECT_EQ(cart_value(0.0000015, 40, 1), 0.00008);
  EXPECT_EQ(cart_value(0.1, 40, 3), 12.0);
}

// Sums of money are exact to the micro-unit up to 2e9, also a window's sum over many days: 300
// purchases of up to 12 million with cents, one a day, give the decimal total in any order.
TEST(FeaturesTest, LargeSumsOfMoneyOverManyDaysAreExact) {
  std::vector<Event> events;
  int64_t cents = 0;
  uint64_t rng = 12345;
  for (int day = 0; day < 300; ++day) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto amount_cents = static_cast<int64_t>((rng >> 20) % 1'200'000'000);
    cents += amount_cents;
    events.push_back(make_purchase(at_day(day + 0.5), static_cast<double>(amount_cents) / 100,
                                   "o" + std::to_string(day)));
  }
  ASSERT_LT(cents, int64_t{200'000'000'000});
  const double exact = static_cast<double>(cents) / 100;
  for (const bool reversed : {false, true}) {
    CustomerState s = fresh();
    if (reversed) {
      apply_event_features(s, make_event(EventType::kPageView, at_day(300)));
    }
    for (size_t i = 0; i < events.size(); ++i) {
      apply_event_features(s, events[reversed ? events.size() - 1 - i : i]);
    }
    const auto now = at_day(300);
    EXPECT_EQ(value(s, FeatureId::kMonetaryTotal, now), exact) << reversed;
    EXPECT_EQ(value(s, FeatureId::kMonetary365d, now), exact) << reversed;
    EXPECT_EQ(timed_value(s, FeatureId::kMonetary365d, now), exact) << reversed;
  }
}

}  // namespace
}  // namespace segd::core
