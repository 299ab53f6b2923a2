// Lowering a thread's CPU priority: only the calling thread's nice value moves, never above 19;
// a librdkafka client built with lower_client_thread_priority() starts its threads lowered.
#include "io/kafka/thread_priority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "io/kafka/conf.h"
#include "support/threads.h"

namespace segd::io::kafka {
namespace {

// No bootstrap servers: a client starts its main and internal broker threads and connects
// nowhere (its warning about that is not logged).
const Properties kNowhere = {{"log_level", "4"}};

// Runs `body` on a thread of its own (whose priority it may lower for good) and waits for it.
template <typename Body>
void on_a_new_thread(Body body) {
  std::thread(body).join();
}

// The nice values of this process's librdkafka threads, once at least `min_threads` of them
// run and all have `nice` (or after 5 s, as they are then).
std::vector<int> librdkafka_nices(size_t min_threads, int nice) {
  std::vector<int> nices;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    nices.clear();
    for (const test::ThreadInfo& t : test::threads_of_this_process()) {
      if (t.name.starts_with("rdk:")) {
        nices.push_back(t.nice);
      }
    }
    if (nices.size() >= min_threads &&
        std::all_of(nices.begin(), nices.end(), [nice](int n) { return n == nice; })) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return nices;
}

TEST(ThreadPriorityTest, LowersOnlyTheCallingThread) {
  const int before = test::this_thread_nice();
  on_a_new_thread([before] {
    const auto lowered = lower_this_thread_priority(3);
    ASSERT_TRUE(lowered.has_value()) << lowered.error().message;
    EXPECT_EQ(*lowered, std::min(kLowestPriorityNice, before + 3));
    EXPECT_EQ(test::this_thread_nice(), *lowered);
    // A thread started from a lowered one inherits its priority, and lowers from there.
    on_a_new_thread([from = *lowered] {
      EXPECT_EQ(test::this_thread_nice(), from);
      const auto again = lower_this_thread_priority(2);
      ASSERT_TRUE(again.has_value()) << again.error().message;
      EXPECT_EQ(*again, std::min(kLowestPriorityNice, from + 2));
    });
  });
  EXPECT_EQ(test::this_thread_nice(), before);
}

TEST(ThreadPriorityTest, StopsAtTheLowestPriority) {
  on_a_new_thread([] {
    EXPECT_EQ(lower_this_thread_priority(kLowestPriorityNice + 5), kLowestPriorityNice);
    EXPECT_EQ(lower_this_thread_priority(1), kLowestPriorityNice);
    EXPECT_EQ(test::this_thread_nice(), kLowestPriorityNice);
  });
}

TEST(ThreadPriorityTest, NoIncrementChangesNothing) {
  const int before = test::this_thread_nice();
  on_a_new_thread([before] {
    EXPECT_EQ(lower_this_thread_priority(0), before);
    EXPECT_EQ(lower_this_thread_priority(-4), before);  // Never raises it.
    EXPECT_EQ(test::this_thread_nice(), before);
  });
}

TEST(ThreadPriorityTest, AClientBuiltWithItStartsItsThreadsLowered) {
  const int before = test::this_thread_nice();
  const int increment = std::min(4, kLowestPriorityNice - before);
  ASSERT_GT(increment, 0) << "this test runs at the lowest priority already";
  {
    auto conf = make_conf(kNowhere);
    ASSERT_TRUE(conf.has_value()) << conf.error().message;
    lower_client_thread_priority(conf->get(), increment);
    auto client = make_client(RD_KAFKA_PRODUCER, std::move(*conf));
    ASSERT_TRUE(client.has_value()) << client.error().message;
    const std::vector<int> nices = librdkafka_nices(2, before + increment);
    EXPECT_GE(nices.size(), 2U);
    for (const int nice : nices) {
      EXPECT_EQ(nice, before + increment);
    }
  }
  EXPECT_EQ(test::this_thread_nice(), before);
  // Without it, a client's threads run at the creating thread's priority.
  auto conf = make_conf(kNowhere);
  ASSERT_TRUE(conf.has_value()) << conf.error().message;
  lower_client_thread_priority(conf->get(), 0);
  auto client = make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  ASSERT_TRUE(client.has_value()) << client.error().message;
  const std::vector<int> nices = librdkafka_nices(2, before);
  EXPECT_GE(nices.size(), 2U);
  for (const int nice : nices) {
    EXPECT_EQ(nice, before);
  }
}

}  // namespace
}  // namespace segd::io::kafka
