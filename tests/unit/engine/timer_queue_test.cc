// TimerQueue against std::set: the same random inserts, erases and firings of the earliest timer
// must leave both holding the same timers, and the queue's earliest() must be the set's first.
#include "core/engine/timer_queue.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace segd::core {
namespace {

constexpr int64_t kHourMs = 3'600'000;

void expect_same(TimerQueue& queue, const std::set<TimerKey>& model) {
  ASSERT_EQ(queue.size(), model.size());
  const TimerKey* first = queue.earliest();
  if (model.empty()) {
    EXPECT_EQ(first, nullptr);
  } else {
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(*first, *model.begin());
  }
}

// Due times `spread` ms around 0 (before the epoch too), customers from a small pool, so that
// keys repeat, due times tie and buckets hold many timers each.
void run(uint32_t seed, int64_t spread, int customers) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> due(-spread, spread);
  std::uniform_int_distribution<int> customer(0, customers - 1);
  std::uniform_int_distribution<int> action(0, 9);
  TimerQueue queue;
  std::set<TimerKey> model;
  std::vector<TimerKey> held;  // What was inserted, to erase some of it again.
  for (int step = 0; step < 20000; ++step) {
    const int what = action(random);
    if (what < 5) {
      const TimerKey key{due(random), "c" + std::to_string(customer(random))};
      queue.insert(key);
      model.insert(key);
      held.push_back(key);
    } else if (what < 8 && !held.empty()) {
      const size_t i = std::uniform_int_distribution<size_t>(0, held.size() - 1)(random);
      const TimerKey key = held[i];
      EXPECT_EQ(queue.erase(key), model.erase(key) == 1) << "step " << step;
      EXPECT_FALSE(queue.contains(key));
    } else if (what < 9) {
      // A firing: the earliest goes, as PartitionProcessor::fire_timers() takes it out.
      const TimerKey* first = queue.earliest();
      if (first != nullptr) {
        const TimerKey key = *first;
        ASSERT_FALSE(model.empty());
        EXPECT_EQ(key, *model.begin());
        EXPECT_TRUE(queue.erase(key));
        model.erase(model.begin());
      }
    } else {
      const TimerKey probe{due(random), "c" + std::to_string(customer(random))};
      EXPECT_EQ(queue.contains(probe), model.contains(probe));
      if (!held.empty()) {
        const TimerKey& key = held[held.size() / 2];
        EXPECT_EQ(queue.contains(key), model.contains(key));
      }
    }
    expect_same(queue, model);
  }
  // Drained in order, the queue gives the set's order.
  while (!model.empty()) {
    const TimerKey* first = queue.earliest();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(*first, *model.begin());
    EXPECT_TRUE(queue.erase(TimerKey(*first)));
    model.erase(model.begin());
  }
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.earliest(), nullptr);
}

TEST(TimerQueueTest, MatchesAnOrderedSetAcrossManyBuckets) { run(1, 1000 * kHourMs, 5000); }

TEST(TimerQueueTest, MatchesAnOrderedSetWithinFewBucketsAndTiedDueTimes) {
  run(2, 2 * kHourMs, 300);
  run(3, 5, 50);  // Due times -5..5 ms: every key in one or two buckets, most tied.
}

// A bucket sorted by earliest() keeps taking inserts and erases, earlier ones included.
TEST(TimerQueueTest, ASortedBucketTakesInsertsAndErases) {
  TimerQueue queue;
  queue.insert({kHourMs + 500, "b"});
  queue.insert({kHourMs + 100, "c"});
  ASSERT_EQ(*queue.earliest(), (TimerKey{kHourMs + 100, "c"}));
  queue.insert({kHourMs + 100, "a"});  // Into the sorted bucket, ahead of its first.
  queue.insert({kHourMs - 1, "z"});    // The bucket before it.
  queue.insert({kHourMs + 100, "a"});  // Held already.
  EXPECT_EQ(queue.size(), 4U);
  EXPECT_EQ(*queue.earliest(), (TimerKey{kHourMs - 1, "z"}));
  EXPECT_TRUE(queue.erase({kHourMs - 1, "z"}));
  EXPECT_EQ(*queue.earliest(), (TimerKey{kHourMs + 100, "a"}));
  EXPECT_FALSE(queue.erase({kHourMs + 100, "x"}));
  EXPECT_FALSE(queue.erase({kHourMs - 1, "z"}));
  EXPECT_TRUE(queue.erase({kHourMs + 100, "a"}));
  EXPECT_TRUE(queue.erase({kHourMs + 100, "c"}));
  EXPECT_EQ(*queue.earliest(), (TimerKey{kHourMs + 500, "b"}));
  EXPECT_TRUE(queue.contains({kHourMs + 500, "b"}));
  EXPECT_FALSE(queue.contains({kHourMs + 500, "a"}));
}

}  // namespace
}  // namespace segd::core
