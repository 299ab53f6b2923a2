#include "core/engine/partition_processor.h"

#include <gtest/gtest.h>

#include "support/builders.h"

namespace segd::core {
namespace {

using testing::at_day;
using testing::make_event;
using testing::make_purchase;
using testing::MemoryStore;

std::shared_ptr<const RuleSet> rules(std::vector<SegmentDefinition> defs) {
  auto r = RuleSet::compile(std::move(defs));
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return *r;
}

struct Harness {
  explicit Harness(std::vector<SegmentDefinition> defs)
      : processor(
            PartitionId{0}, rules(std::move(defs)), std::make_shared<NoModel>(), store, {}, {}) {}

  std::vector<SegmentChange> run(const std::vector<Event>& events) {
    std::vector<SegmentChange> out;
    for (const Event& e : events) {
      EXPECT_TRUE(processor.process(e).has_value());
    }
    BatchDelta d = processor.take_batch();
    store.apply(d);
    return d.outbox;
  }

  MemoryStore store;
  PartitionProcessor processor;
};

TEST(PartitionProcessorTest, HysteresisKeepsMembersUntilExitRuleHolds) {
  Harness h({{"active", "orders_30d >= 2", "orders_30d < 1"}});
  auto changes = h.run({make_purchase(at_day(0), 10, "o1"), make_purchase(at_day(1), 10, "o2")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].event_id, "c1/active/2");
  EXPECT_EQ(changes[0].reason, "orders_30d >= 2");
  ASSERT_EQ(changes[0].values.size(), 1u);
  EXPECT_EQ(changes[0].values[0].name, "orders_30d");
  EXPECT_EQ(changes[0].values[0].value, 2);
  // Day 30: the first order left the window (orders_30d = 1): still a member (hysteresis).
  changes = h.run({make_event(EventType::kPageView, at_day(30.5), "other")});
  EXPECT_TRUE(changes.empty());
  // Day 31: both left; the window-expiry timer fires exactly at the day boundary.
  changes = h.run({make_event(EventType::kPageView, at_day(40), "other")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].cause, CauseKind::kTimer);
  EXPECT_EQ(changes[0].at, at_day(31));
}

TEST(PartitionProcessorTest, TimerFiresWhenDaysSinceLastPurchaseCrossesThreshold) {
  Harness h({{"lapsed", "days_since_last_purchase > 30", ""}});
  EXPECT_TRUE(h.run({make_purchase(at_day(0), 10, "o1")}).empty());
  auto changes = h.run({make_event(EventType::kPageView, at_day(45), "other")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].cause, CauseKind::kTimer);
  EXPECT_EQ(changes[0].at.value(), at_day(30).value() + 1);  // First millisecond past 30 days.
  // A new purchase resets it: exit with cause event.
  changes = h.run({make_purchase(at_day(46), 10, "o2")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].cause, CauseKind::kEvent);
  EXPECT_EQ(changes[0].reason, "!(days_since_last_purchase > 30)");
}

TEST(PartitionProcessorTest, AnArithmeticRuleOnAClockChangesAtItsMillisecond) {
  // Before, such a rule was re-checked a day after the cart: no change at half a day.
  Harness h({{"cart_2h", "minutes_since_last_cart / 60 > 2", ""}});
  EXPECT_TRUE(h.run({make_event(EventType::kAddToCart, at_day(0))}).empty());
  auto changes = h.run({make_event(EventType::kPageView, at_day(0.5), "other")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].cause, CauseKind::kTimer);
  EXPECT_EQ(changes[0].at.value(), at_day(0).value() + 2 * 60 * kMsPerMinute + 1);
}

TEST(PartitionProcessorTest, ADecayedCountAboveZeroExitsByTimerWhenItUnderflows) {
  Harness h({{"active", "page_views_decayed_1d > 0", ""}});
  ASSERT_EQ(h.run({make_event(EventType::kPageView, at_day(0))}).size(), 1u);
  // Four years on: c1's count reached exactly 0 about 1075 days after its view (2028-12-11).
  auto changes = h.run({make_event(EventType::kPageView, at_day(1461), "c2")});
  ASSERT_EQ(changes.size(), 2u);  // Before: only c2 entering; c1 stayed in.
  EXPECT_EQ(changes[0].customer_id, "c1");
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].cause, CauseKind::kTimer);
  EXPECT_NEAR(static_cast<double>(changes[0].at.value() - at_day(0).value()) / kMsPerDay, 1075, 1);
  ASSERT_EQ(changes[0].values.size(), 1u);
  EXPECT_EQ(changes[0].values[0].value, 0.0);
  EXPECT_EQ(changes[1].customer_id, "c2");
  EXPECT_EQ(h.processor.stats().timers_fired, 1);
}

// 50 customers who bought on day 0, and an event on day 31: `orders_30d >= 1` lets all of them go
// at day 30's boundary, a burst of timers before that event.
const std::vector<SegmentDefinition> kRecentBuyers = {{"recent", "orders_30d >= 1", ""}};

std::vector<Event> fifty_purchases() {
  std::vector<Event> events;
  for (int i = 0; i < 50; ++i) {
    events.push_back(make_purchase(at_day(0.1 + i * 0.001), 10, "o" + std::to_string(i),
                                   "c" + std::to_string(i)));
  }
  return events;
}

// A restart as segd and segctl do it: a new processor from the store (stream time, timers,
// states), given the stored model versions again with add_model().
PartitionProcessor restarted(testing::MemoryStore& store,
                             const BatchDelta& last,
                             const std::vector<SegmentDefinition>& defs) {
  PartitionRestore restore;
  if (!last.stream_times.empty()) {
    restore.stream_time_ms = last.stream_times.back().second;
  }
  for (const auto& [id, timer] : store.timers()) {
    EXPECT_EQ(timer.due_ms, store.customers().at(id).timer_due_ms);
    restore.timers.push_back(timer);
  }
  return PartitionProcessor(PartitionId{0}, rules(defs), std::make_shared<NoModel>(), store,
                            restore, {});
}

TEST(PartitionProcessorTest, ABurstOfTimersFiresInBoundedStepsWithTheSameResult) {
  const Event later = make_event(EventType::kPageView, at_day(31), "other");
  Harness whole(kRecentBuyers);
  ASSERT_EQ(whole.run(fifty_purchases()).size(), 50u);
  const std::vector<SegmentChange> expected = whole.run({later});
  ASSERT_EQ(expected.size(), 50u);

  Harness bounded(kRecentBuyers);
  ASSERT_EQ(bounded.run(fifty_purchases()).size(), 50u);
  std::vector<SegmentChange> changes;
  std::vector<size_t> written;  // Customer states per batch.
  for (bool done = false; !done;) {
    auto fired = bounded.processor.advance_stream_time(later.ts.value(), 20);
    ASSERT_TRUE(fired.has_value());
    done = *fired;
    BatchDelta d = bounded.processor.take_batch();
    bounded.store.apply(d);
    written.push_back(d.customers_put.size());
    changes.insert(changes.end(), d.outbox.begin(), d.outbox.end());
  }
  EXPECT_EQ(written, (std::vector<size_t>{20, 20, 10}));
  EXPECT_TRUE(bounded.run({later}).empty());
  EXPECT_EQ(changes, expected);
  EXPECT_EQ(bounded.store.customers(), whole.store.customers());
}

TEST(PartitionProcessorTest, ARestartInTheMiddleOfABurstOfTimersGivesTheSameResult) {
  const Event later = make_event(EventType::kPageView, at_day(31), "other");
  Harness whole(kRecentBuyers);
  ASSERT_EQ(whole.run(fifty_purchases()).size(), 50u);
  const std::vector<SegmentChange> expected = whole.run({later});

  // Commit after 20 of the 50 timers, then start again from the store (the event is read again).
  Harness first(kRecentBuyers);
  ASSERT_EQ(first.run(fifty_purchases()).size(), 50u);
  auto fired = first.processor.advance_stream_time(later.ts.value(), 20);
  ASSERT_TRUE(fired.has_value());
  EXPECT_FALSE(*fired);
  BatchDelta d = first.processor.take_batch();
  first.store.apply(d);
  std::vector<SegmentChange> changes = d.outbox;
  ASSERT_EQ(d.stream_times.size(), 1u);
  PartitionProcessor again = restarted(first.store, d, kRecentBuyers);
  ASSERT_TRUE(again.process(later).has_value());
  BatchDelta rest = again.take_batch();
  first.store.apply(rest);
  changes.insert(changes.end(), rest.outbox.begin(), rest.outbox.end());
  EXPECT_EQ(changes, expected);
  EXPECT_EQ(first.store.customers(), whole.store.customers());
}

TEST(PartitionProcessorTest, DuplicatesAreCountedNotApplied) {
  Harness h({{"buyer", "orders_total >= 1", ""}});
  auto changes = h.run({make_purchase(at_day(0), 10, "o1"), make_purchase(at_day(0.1), 10, "o1")});
  EXPECT_EQ(changes.size(), 1u);
  EXPECT_EQ(h.processor.stats().duplicates, 1);
  EXPECT_EQ(h.store.customers().at("c1").orders_total, 1);
}

TEST(PartitionProcessorTest, BatchBoundariesDoNotChangeResults) {
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    const std::string c = "c" + std::to_string(i % 7);
    if (i % 50 == 49) {
      events.push_back(make_event(EventType::kErasure, at_day(i * 0.4), c));
    } else if (i % 5 == 0) {
      events.push_back(make_purchase(at_day(i * 0.4), 10 + i, "o" + std::to_string(i), c));
    } else {
      Event v = make_event(EventType::kProductView, at_day(i * 0.4 - (i % 3) * 0.01), c);
      v.category = i % 2 ? "shoes" : "bags";
      events.push_back(v);
    }
  }
  const std::vector<SegmentDefinition> defs = {
      {"lapsed", "days_since_last_purchase > 10", ""},
      {"shoe_fan", "affinity(\"shoes\") > 0.5 && product_views_decayed_7d > 1", ""},
      {"regular", "orders_90d >= 3", "orders_90d < 2"}};
  auto run_in_batches = [&](size_t batch) {
    Harness h(defs);
    std::vector<SegmentChange> all;
    for (size_t i = 0; i < events.size(); i += batch) {
      const std::vector<Event> part(
          events.begin() + static_cast<ptrdiff_t>(i),
          events.begin() + static_cast<ptrdiff_t>(std::min(events.size(), i + batch)));
      auto changes = h.run(part);
      all.insert(all.end(), changes.begin(), changes.end());
    }
    return std::make_pair(all, h.store.customers());
  };
  const auto one = run_in_batches(1);
  const auto many = run_in_batches(64);
  EXPECT_FALSE(one.first.empty());
  EXPECT_EQ(one.first, many.first);
  EXPECT_EQ(one.second, many.second);
}

TEST(RuleSetTest, CompileErrorsNameTheSegment) {
  auto bad = RuleSet::compile({{"vip", "orders_total >", ""}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "rule_syntax");
  EXPECT_NE(bad.error().message.find("segment 'vip' enter"), std::string::npos);
  auto unknown = RuleSet::compile({{"vip", "nope > 1", ""}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, "rule_unknown_name");
  auto dup = RuleSet::compile({{"a", "x > 1", ""}, {"a", "x > 2", ""}});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, "rule_duplicate_segment");
}

// A SegmentChange's event_id is customer/segment/version: a '/' in a segment name would let
// customer 'a' entering 'b/c' and customer 'a/b' entering 'c' share the id "a/b/c/1", and
// consumers deduplicating by it would drop one.
TEST(RuleSetTest, SegmentNamesAreShortAndOfLettersDigitsAndUnderscoreDotDash) {
  for (const char* name : {"vip", "Big_spender-2.0", "a",
                           "x23456789012345678901234567890123456789"
                           "0123456789012345678901234"}) {
    EXPECT_TRUE(RuleSet::compile({{name, "orders_total > 1", ""}}).has_value()) << name;
  }
  for (const char* name : {"b/c", "with space", "naïve", "tab\t", "quote\"",
                           "x2345678901234567890"
                           "123456789012345678901234567890123456789012345"}) {
    auto bad = RuleSet::compile({{name, "orders_total > 1", ""}});
    ASSERT_FALSE(bad.has_value()) << name;
    EXPECT_EQ(bad.error().code, "rule_bad_name") << name;
    EXPECT_NE(bad.error().message.find("A-Z a-z 0-9 _ . -"), std::string::npos)
        << bad.error().message;
  }
}

}  // namespace
}  // namespace segd::core

namespace segd::core {
namespace {

TEST(PartitionProcessorTest, ErasureEmitsExitsAndForgetsTheCustomer) {
  Harness h({{"buyer", "orders_total >= 1", ""}});
  h.run({make_purchase(at_day(0), 10, "o1")});
  auto erased = h.processor.erase("c1");
  ASSERT_TRUE(erased.has_value());
  ASSERT_TRUE(erased->has_value());
  EXPECT_EQ(**erased, std::vector<std::string>{"buyer"});
  // Re-seen in the same batch: starts fresh, the old order id is forgotten.
  h.processor.process(make_purchase(at_day(1), 10, "o1")).value();
  BatchDelta d = h.processor.take_batch();
  ASSERT_EQ(d.outbox.size(), 2u);
  EXPECT_EQ(d.outbox[0].cause, CauseKind::kErasure);
  EXPECT_EQ(d.outbox[0].change, ChangeKind::kExit);
  EXPECT_EQ(d.outbox[1].change, ChangeKind::kEnter);
  // Not c1/buyer/1, the id of the enter before the erasure: consumers would drop it.
  EXPECT_EQ(d.outbox[1].event_id, "c1/buyer/1.1");
  EXPECT_TRUE(d.customers_deleted.empty());
  ASSERT_EQ(d.customers_put.size(), 1u);
  EXPECT_EQ(d.customers_put[0]->orders_total, 1);
  h.store.apply(d);
  // Erased with nothing after it: deleted from the store.
  ASSERT_TRUE(h.processor.erase("c1").value().has_value());
  d = h.processor.take_batch();
  EXPECT_EQ(d.customers_deleted, std::vector<std::string>{"c1"});
  EXPECT_FALSE(h.processor.erase("nobody").value().has_value());
}

// The daemon's audit line said "erased customer 'nobody-7'" for customers never seen (50k of them
// in a probe); the outcome now tells it there was nothing to erase.
TEST(PartitionProcessorTest, AnErasureEventTellsWhetherThereWasACustomerToErase) {
  Harness h({{"lapsed", "days_since_last_purchase > 30", ""}});
  h.run({make_purchase(at_day(0), 10, "o1")});
  EXPECT_EQ(h.processor.process(make_event(EventType::kErasure, at_day(1), "nobody")).value(),
            Outcome::kNothingToErase);
  EXPECT_EQ(h.processor.process(make_event(EventType::kErasure, at_day(1), "c1")).value(),
            Outcome::kProcessed);
  EXPECT_EQ(h.processor.process(make_event(EventType::kErasure, at_day(1), "c1")).value(),
            Outcome::kNothingToErase);
  EXPECT_EQ(h.processor.stats().processed, 4);
}

TEST(PartitionProcessorTest, ACustomerErasedInABatchStillBeingWrittenStartsFresh) {
  Harness h({{"lapsed", "days_since_last_purchase > 30", ""}});  // Every buyer has a timer.
  h.run({make_purchase(at_day(0), 10, "o1")});
  ASSERT_TRUE(h.processor.process(make_event(EventType::kErasure, at_day(1))).has_value());
  const BatchDelta in_flight = h.processor.take_batch();  // Its write has not happened yet.
  EXPECT_EQ(in_flight.customers_deleted, std::vector<std::string>{"c1"});
  EXPECT_FALSE(h.processor.customer("c1").value().has_value());
  // The next batch sees c1 again while the store still holds the erased state and its timer.
  ASSERT_TRUE(h.processor.process(make_purchase(at_day(2), 10, "o2")).has_value());
  const BatchDelta next = h.processor.take_batch();
  ASSERT_EQ(next.customers_put.size(), 1u);
  EXPECT_EQ(next.customers_put[0]->orders_total, 1);
  EXPECT_EQ(next.customers_put[0]->version, 1);
  h.store.apply(in_flight);
  h.store.apply(next);
  h.processor.trim_cache();  // Both batches are in the store now.
  EXPECT_EQ(h.processor.customer("c1").value()->orders_total, 1);
}

TEST(PartitionProcessorTest, NewCustomersTakeTheRestoredErasureCountAsTheirIncarnation) {
  testing::MemoryStore store;
  PartitionRestore restore;
  restore.erasures = 7;
  PartitionProcessor p(PartitionId{0}, rules({{"buyer", "orders_total >= 1", ""}}),
                       std::make_shared<NoModel>(), store, restore, {});
  ASSERT_TRUE(p.process(make_purchase(at_day(0), 10, "o1")).has_value());
  ASSERT_TRUE(p.process(make_event(EventType::kErasure, at_day(1))).has_value());
  ASSERT_TRUE(p.process(make_purchase(at_day(2), 10, "o2")).has_value());
  const BatchDelta d = p.take_batch();
  ASSERT_EQ(d.outbox.size(), 3u);
  EXPECT_EQ(d.outbox[0].event_id, "c1/buyer/7.1");
  EXPECT_EQ(d.outbox[1].event_id, "c1/buyer/7.2");  // The erasure's exit, same incarnation.
  EXPECT_EQ(d.outbox[2].event_id, "c1/buyer/8.1");
  EXPECT_EQ(d.erasure_counts, (std::vector<std::pair<PartitionId, int64_t>>{{PartitionId{0}, 8}}));
  ASSERT_EQ(d.customers_put.size(), 1u);
  EXPECT_EQ(d.customers_put[0]->incarnation, 8);
}

TEST(PartitionProcessorTest, ErasureEventErasesTheCustomerAtItsPlaceInTheStream) {
  Harness h({{"buyer", "orders_total >= 1", ""}});
  ASSERT_EQ(h.run({make_purchase(at_day(0), 10, "o1")}).size(), 1u);
  auto changes = h.run({make_event(EventType::kPageView, at_day(1)),
                        make_event(EventType::kErasure, at_day(2), "c1", "erase-1"),
                        make_event(EventType::kErasure, at_day(2.5), "nobody")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].cause, CauseKind::kErasure);
  EXPECT_EQ(changes[0].cause_event_id, "erase-1");
  EXPECT_EQ(changes[0].at, at_day(2));
  EXPECT_EQ(changes[0].event_id, "c1/buyer/3");
  EXPECT_EQ(h.processor.stats().processed, 4);
  EXPECT_FALSE(h.store.customers().contains("c1"));
  EXPECT_FALSE(h.processor.customer("c1").value().has_value());
  // The dedup memory went too: the same order id again is a new purchase of a fresh customer.
  changes = h.run({make_purchase(at_day(3), 10, "o1")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].event_id, "c1/buyer/1.1");  // Incarnation 1: not the first enter's id.
  EXPECT_EQ(h.processor.customer("c1").value()->orders_total, 1);
}

}  // namespace
}  // namespace segd::core

namespace segd::core {
namespace {

class FixedScorer final : public Scorer {
 public:
  FixedScorer(int64_t version, double p_alive) : version_(version), p_alive_(p_alive) {}
  int64_t version() const override { return version_; }
  using Scorer::score;
  ScoreVector score(const CustomerState&,
                    const FeatureVector&,
                    TimestampMs,
                    ScoreMask) const override {
    ScoreVector v = no_scores();
    v[static_cast<size_t>(ScoreId::kPAlive)] = p_alive_;
    return v;
  }

 private:
  int64_t version_;
  double p_alive_;
};

// A FixedScorer that solves every score crossing: it says p_alive crosses at `crossing_ms`.
class SolvingScorer final : public Scorer {
 public:
  SolvingScorer(int64_t version, double p_alive, int64_t crossing_ms)
      : fixed_(version, p_alive), crossing_ms_(crossing_ms) {}
  int64_t version() const override { return fixed_.version(); }
  using Scorer::score;
  ScoreVector score(const CustomerState& s,
                    const FeatureVector& f,
                    TimestampMs at,
                    ScoreMask needed) const override {
    return fixed_.score(s, f, at, needed);
  }
  std::optional<int64_t> score_change_ms(const CustomerState&,
                                         const FeatureVector&,
                                         ScoreId,
                                         const std::function<bool(double)>&,
                                         double,
                                         TimestampMs) const override {
    return crossing_ms_;
  }

 private:
  FixedScorer fixed_;
  int64_t crossing_ms_;
};

TEST(PartitionProcessorTest, AScoreTimerSolvedUnderOneModelFiresWhenANewerOneIsActive) {
  // Under version 1, c1's p_alive is solved to cross in a year: its timer is there, not daily.
  Harness h({{"at_risk", "p_alive < 0.3", ""}});
  h.processor.add_model(std::make_shared<SolvingScorer>(1, 0.5, at_day(365).value()), 0);
  EXPECT_TRUE(h.run({make_purchase(at_day(0), 10, "o1")}).empty());
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(19.5), "other")}).empty());
  EXPECT_EQ(h.processor.stats().timers_fired, 0);
  // Version 2, active from day 20, scores 0.2: c1 is re-checked when it becomes active.
  h.processor.add_model(std::make_shared<SolvingScorer>(2, 0.2, at_day(365).value()),
                        at_day(20).value());
  auto changes = h.run({make_event(EventType::kPageView, at_day(21.5), "other")});
  ASSERT_EQ(changes.size(), 2u);  // "other" enters at its event.
  EXPECT_EQ(changes[0].customer_id, "c1");
  EXPECT_EQ(changes[0].cause, CauseKind::kModel);
  EXPECT_EQ(changes[0].at, at_day(20));
  EXPECT_EQ(changes[0].model_version, 2);
  EXPECT_EQ(h.processor.stats().timers_fired, 1);
  // Its new timer is version 2's solution, bound to version 2.
  EXPECT_EQ(h.store.timers().at("c1"), (Timer{at_day(365).value(), "c1", 2}));
}

TEST(PartitionProcessorTest, AStateAndATimerRecordThatDisagreeAreCorruptStateNotACrash) {
  // Both aborted the process (a CHECK) on every restart.
  MemoryStore store;
  BatchDelta d;
  auto orphan_due = std::make_shared<CustomerState>();
  orphan_due->customer_id = "c1";
  orphan_due->timer_due_ms = at_day(3).value();  // The timers family has no record of it.
  d.customers_put = {orphan_due};
  d.timers_put = {{PartitionId{0}, Timer{at_day(2).value(), "c2"}}};  // c2 has no state.
  store.apply(d);
  PartitionRestore restore;
  restore.timers = {store.timers().at("c2")};
  PartitionProcessor p(PartitionId{0}, rules(kRecentBuyers), std::make_shared<NoModel>(), store,
                       restore, {});
  auto loaded = p.process(make_event(EventType::kPageView, at_day(1), "c1"));
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, "corrupt_state");
  EXPECT_NE(loaded.error().message.find("'c1'"), std::string::npos) << loaded.error().message;
  auto fired = p.advance_stream_time(at_day(2).value());
  ASSERT_FALSE(fired.has_value());
  EXPECT_EQ(fired.error().code, "corrupt_state");
  EXPECT_NE(fired.error().message.find("'c2'"), std::string::npos) << fired.error().message;
}

TEST(PartitionProcessorTest, NewModelVersionChangesSegmentsWithCauseModel) {
  Harness h({{"at_risk", "p_alive < 0.5", ""}});
  h.processor.add_model(std::make_shared<FixedScorer>(1, 0.2), at_day(10).value());
  EXPECT_TRUE(h.run({make_purchase(at_day(5), 10, "o1")}).empty());  // No model yet: NaN.
  auto changes = h.run({make_event(EventType::kPageView, at_day(12))});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].cause, CauseKind::kModel);
  EXPECT_EQ(changes[0].model_version, 1);
  // Without a model p_alive is NaN, so the buyer waited for one: re-evaluated under it at day 10,
  // when it became active.
  EXPECT_EQ(changes[0].at, at_day(10));
  EXPECT_EQ(h.processor.model_version(), 1);
  // A later version that scores higher: the member leaves at its next event, again by model.
  h.processor.add_model(std::make_shared<FixedScorer>(2, 0.9), at_day(20).value());
  changes = h.run({make_event(EventType::kPageView, at_day(21))});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].cause, CauseKind::kModel);
  EXPECT_EQ(changes[0].model_version, 2);
  EXPECT_EQ(changes[0].at, at_day(20));
}

// A timer-driven change that comes due after a new model version is the timer's doing when no
// rule reads a score (it was reported with cause model, the catch-up evaluation running first).
TEST(PartitionProcessorTest, TimerChangeAfterANewModelVersionKeepsCauseTimer) {
  Harness h({{"lapsed", "orders_total >= 1 && days_since_last_purchase > 30", ""}});
  h.processor.add_model(std::make_shared<FixedScorer>(1, 0.2), at_day(10).value());
  EXPECT_TRUE(h.run({make_purchase(at_day(0), 10, "o1")}).empty());
  // Another customer's event moves stream time past c1's timer.
  auto changes = h.run({make_event(EventType::kPageView, at_day(40), "other")});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].customer_id, "c1");
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].cause, CauseKind::kTimer);
  EXPECT_EQ(changes[0].model_version, 1);
  EXPECT_EQ(changes[0].event_id, "c1/lapsed/2");
}

// Cluster 3 once a customer has been idle for 5 days, else 1: the cluster moves with the days
// since the last event (log1p_overdue), for buyers and non-buyers alike.
class IdleClusterScorer final : public Scorer {
 public:
  int64_t version() const override { return 1; }
  using Scorer::score;
  ScoreVector score(const CustomerState& state,
                    const FeatureVector&,
                    TimestampMs at,
                    ScoreMask) const override {
    ScoreVector v = no_scores();
    const int64_t idle = at.value() - state.last_event_ms;
    v[static_cast<size_t>(ScoreId::kCluster)] = idle >= 5 * kMsPerDay ? 3 : 1;
    v[static_cast<size_t>(ScoreId::kClusterDistance)] = static_cast<double>(idle) / kMsPerDay;
    return v;
  }
};

TEST(PartitionProcessorTest, ACustomerWhoNeverBoughtEntersAClusterByTimer) {
  Harness h({{"dormant", "cluster == 3", ""}});
  h.processor.add_model(std::make_shared<IdleClusterScorer>(), at_day(0).value());
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(0.5), "n1"),
                     make_purchase(at_day(0.5), 10, "o1", "b1")})
                  .empty());
  auto changes = h.run({make_event(EventType::kPageView, at_day(10), "other")});
  // Idle 5 days at day 5.5; re-checked at each day boundary, so both enter at day 6.
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].customer_id, "b1");
  EXPECT_EQ(changes[1].customer_id, "n1");
  for (const SegmentChange& c : changes) {
    EXPECT_EQ(c.change, ChangeKind::kEnter);
    EXPECT_EQ(c.cause, CauseKind::kTimer);
    EXPECT_EQ(c.at, at_day(6));
  }
}

TEST(PartitionProcessorTest, UndefinedClocksAndCountsThatAreZeroFireNoTimers) {
  Harness h({{"lapsed", "days_since_last_purchase + 0 > 30", ""},
             {"carted", "minutes_since_last_cart / 60 > 1", ""},
             {"searcher", "searches_decayed_7d * 2 > 1", ""}});
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(0), "n1")}).empty());
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(365), "other")}).empty());
  EXPECT_EQ(h.processor.stats().timers_fired, 0);  // Before: 365, one a day, each a state write.
}

TEST(PartitionProcessorTest, ScoresWithoutAModelWaitForTheFirstModelInsteadOfWakingDaily) {
  Harness h({{"at_risk", "p_alive < 0.3", ""}});
  EXPECT_TRUE(h.run({make_purchase(at_day(0), 10, "o1")}).empty());
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(365), "other")}).empty());
  EXPECT_EQ(h.processor.stats().timers_fired, 0);  // Before: 365.
  // A refit's version, added after c1 was last evaluated: c1 is scored when it becomes active.
  h.processor.add_model(std::make_shared<FixedScorer>(1, 0.2), at_day(400).value());
  auto changes = h.run({make_event(EventType::kPageView, at_day(401.5), "other")});
  ASSERT_EQ(changes.size(), 2u);  // FixedScorer scores "other" too, at its event.
  EXPECT_EQ(changes[1].customer_id, "other");
  EXPECT_EQ(changes[0].customer_id, "c1");
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[0].cause, CauseKind::kModel);
  EXPECT_EQ(changes[0].at, at_day(400));
  // Then, under the model, p_alive moves with T: re-checked at the next day boundary.
  EXPECT_EQ(h.processor.stats().timers_fired, 2);
}

TEST(PartitionProcessorTest, ARestartInABurstOfTimersActivatesTheModelAtItsOwnTime) {
  // 50 buyers wait for the first model (p_alive < 0.3), active from day 10; the event at day 11.5
  // fires them as a burst. Committed after 20 of them, the batch stored day 11.5 as stream time,
  // and a restart activated the model there: the other 30 entered at day 11.5, not day 10.
  const std::vector<SegmentDefinition> at_risk = {{"at_risk", "p_alive < 0.3", ""}};
  const auto model = std::make_shared<FixedScorer>(1, 0.2);
  const Event later = make_event(EventType::kPageView, at_day(11.5), "other");
  Harness whole(at_risk);
  ASSERT_TRUE(whole.run(fifty_purchases()).empty());
  whole.processor.add_model(model, at_day(10).value());
  const std::vector<SegmentChange> expected = whole.run({later});
  ASSERT_EQ(expected.size(), 51u);  // The 50 at day 10, "other" at its event.

  Harness first(at_risk);
  ASSERT_TRUE(first.run(fifty_purchases()).empty());
  first.processor.add_model(model, at_day(10).value());
  auto fired = first.processor.advance_stream_time(later.ts.value(), 20);
  ASSERT_TRUE(fired.has_value());
  EXPECT_FALSE(*fired);
  const BatchDelta d = first.processor.take_batch();
  first.store.apply(d);
  std::vector<SegmentChange> changes = d.outbox;
  PartitionProcessor again = restarted(first.store, d, at_risk);
  again.add_model(model, at_day(10).value());
  ASSERT_TRUE(again.process(later).has_value());
  const BatchDelta rest = again.take_batch();
  changes.insert(changes.end(), rest.outbox.begin(), rest.outbox.end());
  EXPECT_EQ(changes, expected);
}

TEST(PartitionProcessorTest, ACustomerWaitingForAModelStillWaitsAfterARestart) {
  Harness h({{"at_risk", "p_alive < 0.3", ""}});
  h.processor.process(make_purchase(at_day(0), 10, "o1")).value();
  const BatchDelta d = h.processor.take_batch();
  ASSERT_EQ(d.timers_put.size(), 1u);
  EXPECT_EQ(d.timers_put[0].second, (Timer{kWhenAModelIsActive, "c1", 0}));
  h.store.apply(d);
  // Restarted from the store, with a model fitted since (active from before the stream time, as
  // `segctl fit` stores one): c1 is scored from the restored stream time on.
  PartitionRestore restore;
  restore.stream_time_ms = at_day(3).value();
  restore.timers = {d.timers_put[0].second};
  PartitionProcessor p(PartitionId{0}, rules({{"at_risk", "p_alive < 0.3", ""}}),
                       std::make_shared<NoModel>(), h.store, restore, {});
  p.add_model(std::make_shared<FixedScorer>(1, 0.2), at_day(1).value());
  ASSERT_TRUE(p.advance_stream_time(at_day(3).value()).has_value());
  const BatchDelta after = p.take_batch();
  ASSERT_EQ(after.outbox.size(), 1u);
  EXPECT_EQ(after.outbox[0].customer_id, "c1");
  EXPECT_EQ(after.outbox[0].cause, CauseKind::kModel);
  EXPECT_EQ(after.outbox[0].at, at_day(3));
  // Re-checked daily (the test scorer solves nothing), bound to the version it was scored by.
  EXPECT_EQ(after.timers_put, (std::vector<std::pair<PartitionId, Timer>>{
                                  {PartitionId{0}, Timer{at_day(4).value(), "c1", 1}}}));
}

TEST(PartitionProcessorTest, NewModelVersionWithoutScoreRulesIsTakenWithoutReevaluating) {
  Harness h({{"buyer", "orders_total >= 1 && cart_open == 0", ""}});
  h.processor.add_model(std::make_shared<FixedScorer>(1, 0.2), at_day(10).value());
  ASSERT_EQ(h.run({make_purchase(at_day(5), 10, "o1")}).size(), 1u);  // Enters buyer.
  EXPECT_TRUE(h.run({make_event(EventType::kPageView, at_day(12))}).empty());
  const std::optional<CustomerState> s = h.processor.customer("c1").value();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->model_version, 1);
  // The purchase and the view; no model re-evaluation in between.
  EXPECT_EQ(s->version, 2);
  // The next change's id follows from that version.
  Event cart = make_event(EventType::kAddToCart, at_day(13));
  cart.product_id = "p1";
  cart.price = 5.0;
  auto changes = h.run({cart});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].event_id, "c1/buyer/3");
  EXPECT_EQ(changes[0].cause, CauseKind::kEvent);
  EXPECT_EQ(changes[0].model_version, 1);
}

}  // namespace
}  // namespace segd::core

namespace segd::core {
namespace {

TEST(PartitionProcessorTest, TakenBatchKeepsItsStatesWhileTheCustomerChangesAgain) {
  Harness h({{"buyer", "orders_total >= 1", ""}});
  h.processor.process(make_purchase(at_day(0), 10, "o1")).value();
  const BatchDelta first = h.processor.take_batch();  // Say, a commit still in flight.
  ASSERT_EQ(first.customers_put.size(), 1u);
  const CustomerState* shared_state = first.customers_put[0].get();
  h.processor.process(make_purchase(at_day(1), 10, "o2")).value();
  EXPECT_EQ(first.customers_put[0]->orders_total, 1);  // Copied before the change.
  const BatchDelta second = h.processor.take_batch();
  ASSERT_EQ(second.customers_put.size(), 1u);
  EXPECT_EQ(second.customers_put[0]->orders_total, 2);
  EXPECT_NE(second.customers_put[0].get(), shared_state);
}

TEST(PartitionProcessorTest, TrimForgetsCleanStatesAndKeepsTheBatchInProgress) {
  MemoryStore store;
  PartitionProcessor processor(PartitionId{0}, rules({{"buyer", "orders_total >= 1", ""}}),
                               std::make_shared<NoModel>(), store, {}, {.cache_capacity = 2});
  for (const char* id : {"c1", "c2", "c3"}) {
    processor.process(make_event(EventType::kPageView, at_day(0), id)).value();
  }
  store.apply(processor.take_batch());
  // A batch in progress (the daemon trims before taking it): its dirty state must survive.
  processor.process(make_purchase(at_day(1), 10, "o1", "c4")).value();
  processor.trim_cache();
  const int64_t reads = store.reads();
  processor.process(make_event(EventType::kPageView, at_day(2), "c1")).value();
  EXPECT_EQ(store.reads(), reads + 1);  // Forgotten: read back from the store.
  const BatchDelta delta = processor.take_batch();
  ASSERT_EQ(delta.customers_put.size(), 2u);
  EXPECT_EQ(delta.customers_put[0]->customer_id, "c4");
  EXPECT_EQ(delta.customers_put[0]->orders_total, 1);
  EXPECT_EQ(delta.customers_put[1]->customer_id, "c1");
}

// Incremental evaluation (RuleMemo): a page view changes nothing `orders_total` reads, but enter
// and exit rules that hold together flip the segment at every evaluation, and every event is
// one (as with every rule evaluated).
TEST(PartitionProcessorTest, EnterAndExitRulesThatHoldTogetherFlipAtEveryEvent) {
  Harness h({{"both", "orders_total >= 1", "orders_total >= 1"}});
  const std::vector<SegmentChange> changes =
      h.run({make_purchase(at_day(0), 10, "o1"), make_event(EventType::kPageView, at_day(1)),
             make_event(EventType::kPageView, at_day(2))});
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[1].change, ChangeKind::kExit);
  EXPECT_EQ(changes[2].change, ChangeKind::kEnter);
  EXPECT_EQ(changes[2].cause, CauseKind::kEvent);
}

// A rule reload makes every remembered evaluation void: the next event evaluates the new rules
// in full, even one whose type changes nothing they read.
TEST(PartitionProcessorTest, AfterARuleReloadTheNextEventEvaluatesEveryNewRule) {
  Harness h({{"viewer", "page_views_total >= 1", ""}});
  ASSERT_EQ(h.run({make_event(EventType::kPageView, at_day(0))}).size(), 1u);
  // Same segment name, a rule a page view cannot change: the member no longer qualifies.
  h.processor.set_rules(rules({{"viewer", "orders_total >= 1", ""}}));
  const std::vector<SegmentChange> changes = h.run({make_event(EventType::kPageView, at_day(1))});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].reason, "!(orders_total >= 1)");
}

// A reload that drops a segment: its cached member leaves it at its next event, even one that
// changes nothing the rules read, before the new rules' changes (the check is skipped only for
// states evaluated under the current rules).
TEST(PartitionProcessorTest, AfterARuleReloadACachedMemberLeavesARemovedSegment) {
  Harness h({{"viewer", "page_views_total >= 1", ""}});
  ASSERT_EQ(h.run({make_event(EventType::kPageView, at_day(0))}).size(), 1u);
  h.processor.set_rules(rules({{"browser", "page_views_total >= 1", ""}}));
  const std::vector<SegmentChange> changes = h.run({make_event(EventType::kSearch, at_day(1))});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].segment, "viewer");
  EXPECT_EQ(changes[0].change, ChangeKind::kExit);
  EXPECT_EQ(changes[0].reason, "segment removed from the rules");
  EXPECT_EQ(changes[1].segment, "browser");
  EXPECT_EQ(changes[1].change, ChangeKind::kEnter);
  // Evaluated under the new rules since: nothing more leaves or enters.
  EXPECT_TRUE(h.run({make_event(EventType::kSearch, at_day(2))}).empty());
}

// The changes of `events` under `defs`, with every rule evaluated at every event or not.
std::vector<SegmentChange> changes_of(const std::vector<SegmentDefinition>& defs,
                                      const std::vector<Event>& events,
                                      bool evaluate_all_rules) {
  MemoryStore store;
  PartitionProcessor processor(PartitionId{0}, rules(defs), std::make_shared<NoModel>(), store, {},
                               {.evaluate_all_rules = evaluate_all_rules});
  for (const Event& e : events) {
    EXPECT_TRUE(processor.process(e).has_value());
  }
  return processor.take_batch().outbox;
}

// Sides close to the largest double at the end of the 2^40 ms search: solved exactly at the cart
// add, but a later evaluation's search reaches where both overflow, and gives up (a daily
// re-check). Such a wake-up is not anchored, so incremental evaluation re-checks it as often.
TEST(PartitionProcessorTest, AWakeUpNearOverflowIsEvaluatedAgainAtTheNextEvent) {
  const std::vector<SegmentDefinition> defs = {
      {"huge", "minutes_since_last_cart * 7e300 + days_since_last_purchase * 1e304 > 1.5e308", ""}};
  Event cart = make_event(EventType::kAddToCart, at_day(0));
  const std::vector<Event> events = {cart, make_purchase(at_day(0.001), 10, "o1"),
                                     make_event(EventType::kPageView, at_day(6000)),
                                     make_event(EventType::kPageView, at_day(8000))};
  const std::vector<SegmentChange> every = changes_of(defs, events, true);
  const std::vector<SegmentChange> incremental = changes_of(defs, events, false);
  ASSERT_EQ(every.size(), 1u);
  ASSERT_EQ(incremental.size(), 1u);
  EXPECT_EQ(incremental[0].event_id, every[0].event_id);
  EXPECT_EQ(incremental[0].at, every[0].at);
}

}  // namespace
}  // namespace segd::core
