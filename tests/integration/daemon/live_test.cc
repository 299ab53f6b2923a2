// segd against the dev broker: a live run, and a run SIGKILLed at seeded random points, must end
// with the same published SegmentChanges and the same state as an offline `segctl replay`.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SegdDaemonTest, LiveEqualsReplay) {
  constexpr int32_t kPartitions = 4;
  constexpr int64_t kEvents = 30000;
  const TempDir dir("live");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 3000, .events = kEvents, .seed = 7}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  ASSERT_GT(reference->changes.size(), 1000u) << "the rules should fire on this input";

  auto broker = start_broker_with_events(input, kPartitions);
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, kEvents);
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  EXPECT_EQ(summary->changes, static_cast<int64_t>(reference->changes.size()));
  EXPECT_GE(summary->outbox_published, summary->changes);

  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

// 400 customers buy at the same moment: config/segments.yaml's new_buyer lets them all go at
// the same millisecond 7 days on and lapsed takes them all 30 days on, each a burst of 400
// timers before the next event. segd commits such a burst in batches of engine.batch_max_timers
// firings (here 7); the reference replay fires each in one batch.
TEST(SegdDaemonTest, BurstsOfTimersLargerThanABatchEqualReplay) {
  const TempDir dir("live-burst");
  const std::string input = dir.file("events.jsonl");
  std::string lines;
  for (int i = 0; i < 400; ++i) {
    const std::string id = "b" + std::to_string(i);
    lines += R"({"event_id":")" + id + R"(","type":"purchase","customer_id":")" + id +
             R"(","ts":"2026-03-02T08:00:00Z","order_id":")" + id + R"(-o","amount":12})" + "\n";
  }
  for (const char* day : {"2026-03-12", "2026-04-20"}) {
    lines += std::string(R"({"event_id":")") + day +
             R"(","type":"page_view","customer_id":"late","ts":")" + day + R"(T00:00:00Z"})" + "\n";
  }
  ASSERT_TRUE(write_text(input, lines).has_value());
  auto reference = make_reference(input, 1, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  ASSERT_EQ(reference->changes.size(), 1200u) << "400 new_buyer enters and exits, 400 lapsed";

  auto broker = start_broker_with_events(input, 1);
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .batch_max_timers = 7},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  EXPECT_EQ(summary->topics["events"].processed, 402);
  EXPECT_EQ(summary->changes, 1200);
  EXPECT_EQ(summary->timers_fired, 800);
  // Each burst of 400 in batches of at most 7 firings: 58 batches or more. (A commit in the middle
  // of a burst once found no consumed event to write and wrote nothing, so the rest of the burst
  // went into one batch.)
  EXPECT_GE(summary->batches, 2 * 58);
  const std::string diff = compare_with_reference(*reference, broker->bootstrap(), 1, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

// One segd run that is SIGKILLed `delay` after it logged its partition assignment.
void run_and_kill(const std::string& config, const TempDir& dir, int run, milliseconds delay) {
  auto segd = start_segd(config, ExitMode::kOnSignal, dir.file("segd-" + std::to_string(run)));
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  auto assigned = wait_for_log(*segd, "pipeline: assigned", milliseconds(30000));
  ASSERT_TRUE(assigned.has_value()) << "run " << run << ": " << assigned.error().message;
  std::this_thread::sleep_for(delay);
  segd->process.kill(SIGKILL);
  auto code = segd->wait(milliseconds(10000));
  ASSERT_TRUE(code.has_value()) << "run " << run << ": not reaped after SIGKILL";
  // It may have ended on its own only if it failed: without --exit-at-end it runs until killed.
  EXPECT_EQ(*code, 128 + SIGKILL) << "run " << run << " ended by itself:\n" << segd->log();
}

TEST(SegdDaemonTest, CrashSafety) {
  constexpr int32_t kPartitions = 24;  // 200k events stay well inside 5 MiB per partition.
  constexpr int64_t kEvents = 200000;
  constexpr int kKills = 6;
  const TempDir dir("crash");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 20000, .events = kEvents, .seed = 11}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;

  auto broker = start_broker_with_events(input, kPartitions);
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  // Small batches: more commits, so the kills land between, during and after them.
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .batch_max_events = 500},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  std::mt19937_64 rng(20260301);
  std::uniform_int_distribution<int> delay_ms(0, 700);
  for (int run = 0; run < kKills; ++run) {
    const milliseconds delay(delay_ms(rng));
    SCOPED_TRACE("kill " + std::to_string(run) + " at assignment + " +
                 std::to_string(delay.count()) + " ms");
    ASSERT_NO_FATAL_FAILURE(run_and_kill(*config, dir, run, delay));
  }
  auto summary = run_segd_to_end(*config, dir, "segd-final.log", seconds(180));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_LT(events.consumed, kEvents) << "the killed runs should have committed progress";
  RecordProperty("final_run_consumed", std::to_string(events.consumed));
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());

  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
