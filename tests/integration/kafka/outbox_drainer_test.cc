// OutboxDrainer against segd-devbroker and RocksDB on disk: records left by an earlier run and
// records committed while it runs (one batch at a time, or several back to back) are all
// published once, keyed by customer, in sequence order per customer, and then deleted.
#include "io/pipeline/outbox_drainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "integration/kafka/broker_and_store.h"
#include "integration/kafka/consume.h"
#include "io/kafka/json_key.h"
#include "io/kafka/thread_priority.h"
#include "support/devbroker.h"
#include "support/threads.h"

namespace segd::test {
namespace {

constexpr int32_t kPartitions = 4;
constexpr int kCustomers = 7;

core::SegmentChange change(int64_t n) {
  core::SegmentChange c;
  c.customer_id = "c" + std::to_string(n % kCustomers);
  c.segment = "seg";
  c.event_id = c.customer_id + "/seg/" + std::to_string(n);
  c.change = n % 2 == 0 ? core::ChangeKind::kEnter : core::ChangeKind::kExit;
  c.at = core::TimestampMs{1'700'000'000'000 + n};
  c.reason = "orders_total >= 1";
  return c;
}

// A batch of parts with `sizes[i]` changes in part i, numbered on from `next`.
std::vector<core::BatchDelta> batch(std::initializer_list<int> sizes, int64_t& next) {
  std::vector<core::BatchDelta> parts;
  for (const int size : sizes) {
    core::BatchDelta& part = parts.emplace_back();
    for (int i = 0; i < size; ++i) {
      part.outbox.push_back(change(next++));
    }
  }
  return parts;
}

// Leaves no leader for any partition of segment-changes: no record can be delivered.
void take_every_output_leader_away(DevBroker& broker) {
  for (int p = 0; p < kPartitions; ++p) {
    const auto moved = broker.command("leader segment-changes " + std::to_string(p) + " -1");
    ASSERT_TRUE(moved.has_value() && *moved == "ok") << broker.log();
  }
}

// Waits up to 20 s until `done()`; returns whether it is.
bool wait_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Waits up to 20 s until `published` records were confirmed.
bool wait_published(const io::PipelineStats& stats, int64_t published) {
  return wait_until([&] { return stats.snapshot().outbox_published >= published; });
}

// The published records, checked: each expected one once, keyed by its customer, each
// customer's in sequence order.
void expect_each_published_once_in_order(const DevBroker& broker, int64_t count) {
  auto records = consume_all(broker.bootstrap(), "segment-changes", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  std::map<std::string, int> seen;                    // event_id -> times published
  std::map<std::string, std::vector<int64_t>> order;  // customer -> change numbers by offset
  for (const Record& r : *records) {
    const auto id = io::kafka::top_level_string_field(r.value, "event_id");
    const auto customer = io::kafka::top_level_string_field(r.value, "customer_id");
    ASSERT_TRUE(id && customer) << r.value;
    seen[*id] += 1;
    EXPECT_EQ(*customer, id->substr(0, id->find('/')));
    EXPECT_EQ(r.key.value_or(""), *customer);
    order[*customer].push_back(std::stoll(id->substr(id->rfind('/') + 1)));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(count));
  for (int64_t n = 0; n < count; ++n) {
    EXPECT_EQ(seen[change(n).event_id], 1) << change(n).event_id;
  }
  for (const auto& [customer, numbers] : order) {
    EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end())) << customer;
  }
}

TEST(OutboxDrainerTest, PublishesEveryStoredRecordOnceInOrderThenDeletesIt) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  io::RocksStore& store = *env->store;
  io::PipelineStats stats;
  int64_t next = 0;

  // Left by an earlier run: only in the store.
  ASSERT_TRUE(store.commit(batch({3, 2}, next), {}).has_value());
  auto drainer = io::OutboxDrainer::create(env->config, store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  (*drainer)->start();
  ASSERT_TRUE(wait_published(stats, next));
  const auto commit = [&](std::vector<core::BatchDelta> parts) {
    ASSERT_TRUE(store.commit(parts, {}).has_value());
    (*drainer)->notify();
  };
  commit(batch({3, 4}, next));
  ASSERT_TRUE(wait_published(stats, next));
  commit(batch({1, 0, 4}, next));
  ASSERT_TRUE(wait_published(stats, next));
  commit(batch({2}, next));  // Three back to back.
  commit(batch({5}, next));
  commit(batch({2, 2}, next));
  ASSERT_TRUE((*drainer)->stop(std::chrono::seconds(20)).has_value());

  expect_each_published_once_in_order(env->broker, next);
  EXPECT_EQ(stats.snapshot().outbox_published, next);
  auto pending = store.pending_outbox(100, 0);
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(pending->empty()) << pending->size() << " records left in the outbox";
}

// `segd --exit-at-end` stops once the drainer is idle after the last commit: a drainer that was
// idle before a commit's notify() must not look idle until it has looked at the outbox again.
TEST(OutboxDrainerTest, IsNotIdleFromANotifyUntilItHasPublishedWhatCameWithIt) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  io::RocksStore& store = *env->store;
  io::PipelineStats stats;
  auto drainer = io::OutboxDrainer::create(env->config, store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  (*drainer)->start();
  const auto wait_idle = [&] { return wait_until([&] { return (*drainer)->idle(); }); };
  ASSERT_TRUE(wait_idle()) << "an empty outbox";
  int64_t next = 0;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(store.commit(batch({2, 1}, next), {}).has_value());
    (*drainer)->notify();
    EXPECT_FALSE((*drainer)->idle()) << "round " << round << ": idle right after a notify";
    ASSERT_TRUE(wait_idle()) << "round " << round;
    EXPECT_EQ(stats.snapshot().outbox_published, next) << "idle before publishing everything";
  }
  ASSERT_TRUE((*drainer)->stop(std::chrono::seconds(20)).has_value());
}

TEST(OutboxDrainerTest, ARecordTheProducerRefusesIsReportedAndNotCountedAsDrained) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  io::RocksStore& store = *env->store;
  env->config.rdkafka_overrides = {{"message.max.bytes", "1000"}};  // Below the record's size.
  io::PipelineStats stats;
  int64_t next = 0;
  std::vector<core::BatchDelta> parts = batch({1}, next);
  parts.front().outbox.front().reason = std::string(2000, 'r');
  ASSERT_TRUE(store.commit(parts, {}).has_value());
  auto drainer = io::OutboxDrainer::create(env->config, store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  (*drainer)->start();
  wait_until([&] { return stats.snapshot().outbox_publish_errors > 0; });
  EXPECT_GT(stats.snapshot().outbox_publish_errors, 0);
  EXPECT_FALSE((*drainer)->idle()) << "a record waits";
  const auto stopped = (*drainer)->stop(std::chrono::milliseconds(1500));
  ASSERT_FALSE(stopped.has_value()) << "stop() reported a drained outbox";
  EXPECT_EQ(stopped.error().code, "outbox_not_drained");
  auto pending = store.pending_outbox(100, 0);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->size(), 1u) << "the record stays for the next run";
}

// The gauge and stop() counted only the records handed to the producer (at most
// outbox.max_in_flight, and a whole fetch of up to 2000 beyond it): a long output outage looked
// like a backlog of a few hundred, whatever had piled up behind it.
TEST(OutboxDrainerTest, PendingCountsEveryCommittedRecordNotYetConfirmed) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  ASSERT_NO_FATAL_FAILURE(take_every_output_leader_away(env->broker));
  io::RocksStore& store = *env->store;
  env->config.outbox_max_in_flight = 5;
  io::PipelineStats stats;
  int64_t next = 0;
  ASSERT_TRUE(store.commit(batch({20, 10}, next), {}).has_value());
  auto drainer = io::OutboxDrainer::create(env->config, store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  (*drainer)->start();
  wait_until([&] { return stats.snapshot().outbox_pending == next; });
  EXPECT_EQ(stats.snapshot().outbox_pending, next);
  ASSERT_TRUE(store.commit(batch({4}, next), {}).has_value());
  (*drainer)->notify();
  const auto stopped = (*drainer)->stop(std::chrono::milliseconds(500));
  ASSERT_FALSE(stopped.has_value());
  EXPECT_EQ(stopped.error().code, "outbox_not_drained");
  EXPECT_TRUE(stopped.error().message.starts_with("34 records were not confirmed"))
      << stopped.error().message;
  EXPECT_EQ(stats.snapshot().outbox_published, 0);
}

// At a restart the outbox holds what the earlier run could not deliver. Before the first look at
// it, the store knew no floor, and the pending count segd pauses consumption on was every record
// the state dir had ever written: a restarted instance paused with a few hundred records left,
// and with the output down stayed paused.
TEST(OutboxDrainerTest, PendingAtStartIsWhatTheOutboxStillHolds) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  ASSERT_NO_FATAL_FAILURE(take_every_output_leader_away(env->broker));
  int64_t next = 0;
  const auto first = env->store->commit(batch({10}, next), {});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(env->store->delete_outbox_range(*first, *first + 6).has_value());  // Delivered.
  env->store.reset();                                                            // The restart.
  auto reopened = io::RocksStore::open(io::StoreConfig{.path = env->dir.db()});
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
  env->store = std::move(*reopened);
  io::PipelineStats stats;
  auto drainer = io::OutboxDrainer::create(env->config, *env->store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  EXPECT_EQ((*drainer)->pending(), 4u);  // Before the thread's first look.
  EXPECT_EQ(stats.snapshot().outbox_pending, 4);
  (*drainer)->start();
  const auto stopped = (*drainer)->stop(std::chrono::milliseconds(200));
  ASSERT_FALSE(stopped.has_value());
  EXPECT_TRUE(stopped.error().message.starts_with("4 records were not confirmed"))
      << stopped.error().message;
}

// Publishing is background work: the drainer's thread and its producer's librdkafka threads run
// outbox.publisher_nice (by default 10) below the thread that started it; nothing else moves.
TEST(OutboxDrainerTest, PublishesAtALowerPriorityThanThePipeline) {
  const auto env = start_broker_and_store({"segment-changes:4"});
  ASSERT_TRUE(env);
  const io::PipelineConfig defaults;
  ASSERT_EQ(env->config.publisher_nice, defaults.publisher_nice);
  const int before = this_thread_nice();
  const int lowered = std::min(io::kafka::kLowestPriorityNice, before + env->config.publisher_nice);
  ASSERT_GT(lowered, before) << "this test runs at the lowest priority already";
  io::PipelineStats stats;
  auto drainer = io::OutboxDrainer::create(env->config, *env->store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  (*drainer)->start();
  int64_t next = 0;
  ASSERT_TRUE(env->store->commit(batch({3}, next), {}).has_value());
  (*drainer)->notify();
  ASSERT_TRUE(wait_published(stats, next));  // The producer's threads are all up by now.

  size_t drainers = 0;
  size_t librdkafka = 0;
  for (const ThreadInfo& t : threads_of_this_process()) {
    if (t.name == "segd-drainer") {
      ++drainers;
      EXPECT_EQ(t.nice, lowered);
    } else if (t.name.starts_with("rdk:")) {
      ++librdkafka;
      EXPECT_EQ(t.nice, lowered) << t.name;
    } else {
      EXPECT_EQ(t.nice, before) << t.name;
    }
  }
  EXPECT_EQ(drainers, 1U);
  EXPECT_GE(librdkafka, 2U);
  ASSERT_TRUE((*drainer)->stop(std::chrono::seconds(20)).has_value());
}

}  // namespace
}  // namespace segd::test
