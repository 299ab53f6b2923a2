// Two input topics merged by event time, written before segd reads them (a backfill), with some
// malformed lines: a run stopped by SIGTERM several times and restarted ends with the same state
// and SegmentChanges as an uninterrupted run, and each message is counted once over the runs.
// Events the merge still held at a stop are read again after the restart, not processed ahead
// of the other topic's earlier events; a message dead-lettered while earlier ones were held is
// not read again. The last run publishes everything while it runs, without further input.
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

constexpr int32_t kPartitions = 8;

// The distinct SegmentChanges on `topic`, each as published.
std::set<std::string> published(const std::string& bootstrap, const std::string& topic) {
  auto records = read_topic(bootstrap, topic, kPartitions);
  EXPECT_TRUE(records.has_value()) << records.error().message;
  const ChangeCheck check = check_changes(records.value_or(std::vector<HeadedRecord>{}));
  EXPECT_TRUE(check.problems.empty()) << check.problems.front();
  return check.distinct;
}

TEST(SegdDaemonTest, TwoTopicsStoppedAndRestartedEqualAnUninterruptedRun) {
  const TempDir dir("merge-restart");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 5000, .events = 100000, .seed = 23, .bad_rate = 0.01}, input)
                  .has_value());
  const SplitInput split = split_by_type(input, dir);
  auto broker = start_broker(
      1, {"clicks:8", "purchases:8", "changes-once:8", "changes-stopped:8", "segd-dead-letters:8"});
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "clicks", split.clicks_path).has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "purchases", split.purchases_path).has_value());

  const auto config_for = [&](const std::string& name) {
    auto config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = dir.file(name + "-state"),
                                     .input_topics = {"clicks", "purchases"},
                                     .group_id = name,
                                     .batch_max_events = 500},
                                    dir);
    EXPECT_TRUE(config.has_value());
    return config.value_or("");
  };
  const std::string once = config_for("once");
  auto uninterrupted =
      run_segd_to_end(once, dir, "once.log", seconds(120), {"--kafka.output_topic=changes-once"});
  ASSERT_TRUE(uninterrupted.has_value()) << uninterrupted.error().message;

  const std::string stopped = config_for("stopped");
  // Each run is stopped once it has processed some events; the merge then holds others.
  std::map<std::string, int64_t> consumed;  // By topic, over all runs.
  std::mt19937_64 rng(20261201);
  std::uniform_int_distribution<int> delay_ms(0, 100);
  for (int run = 0; run < 5; ++run) {
    auto segd = start_segd(stopped, ExitMode::kOnSignal, dir.file("stopped-" + std::to_string(run)),
                           {"--kafka.output_topic=changes-stopped"});
    ASSERT_TRUE(segd.has_value()) << segd.error().message;
    // (A run that finds fewer events left is stopped after the wait.)
    static_cast<void>(wait_for_metric(*segd, R"(segd_events_processed_total{topic="clicks"})", 1000,
                                      milliseconds(15000)));
    std::this_thread::sleep_for(milliseconds(delay_ms(rng)));
    segd->process.kill(SIGTERM);
    auto code = segd->wait(milliseconds(60000));
    ASSERT_TRUE(code.has_value());
    ASSERT_EQ(*code, 0) << segd->log();
    auto summary = parse_summary(segd->log());
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    for (const auto& [topic, counts] : summary->topics) {
      consumed[topic] += counts.consumed;
      EXPECT_EQ(counts.consumed,
                counts.processed + counts.duplicates + counts.dead_lettered_total())
          << topic << ", run " << run;
    }
  }
  // The last run stays up: once the input is read, what it processed must be committed and
  // published without more input arriving (events the merge releases at the topics' ends too).
  const std::set<std::string> want_changes = published(broker->bootstrap(), "changes-once");
  auto last = start_segd(stopped, ExitMode::kOnSignal, dir.file("stopped-last.log"),
                         {"--kafka.output_topic=changes-stopped"});
  ASSERT_TRUE(last.has_value()) << last.error().message;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  size_t live = 0;
  while ((live = published(broker->bootstrap(), "changes-stopped").size()) < want_changes.size() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(500));
  }
  EXPECT_EQ(live, want_changes.size()) << "published while running, without more input";
  last->process.kill(SIGTERM);
  auto last_code = last->wait(milliseconds(60000));
  ASSERT_TRUE(last_code.has_value());
  ASSERT_EQ(*last_code, 0) << last->log();
  // Where each input partition resumes is logged, for every topic (only the first topic's
  // partitions were: the second's share its processor).
  for (const char* topic : {"clicks", "purchases"}) {
    for (int p = 0; p < 8; ++p) {
      EXPECT_NE(last->log().find("assigned " + std::string(topic) + "/" + std::to_string(p) +
                                 " from offset "),
                std::string::npos)
          << topic << "/" << p;
    }
  }
  auto rest = parse_summary(last->log());
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_LT(rest->topics["clicks"].consumed, split.clicks) << "the stopped runs made progress";
  for (const auto& [topic, counts] : rest->topics) {
    consumed[topic] += counts.consumed;
  }
  // Held events a stop left are counted by the run that processes them, once.
  EXPECT_EQ(consumed["clicks"], split.clicks);
  EXPECT_EQ(consumed["purchases"], split.purchases);

  auto want = export_state(dir.file("once-state"), dir);
  auto got = export_state(dir.file("stopped-state"), dir);
  ASSERT_TRUE(want.has_value() && got.has_value());
  EXPECT_TRUE(diff_text(*want, *got).empty()) << diff_text(*want, *got);
  EXPECT_EQ(diff_sets(want_changes, published(broker->bootstrap(), "changes-stopped")), "");
}

}  // namespace
}  // namespace segd::test
