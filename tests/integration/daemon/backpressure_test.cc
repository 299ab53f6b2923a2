// segd through an output outage with a bounded outbox (outbox.max_pending): it must stop consuming
// once the outbox is full instead of filling the state dir, stay paused across a restart, and
// after the outage consume the rest exactly once and deliver everything.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Within the dev broker's 5 MiB per partition (about 3.5 MB).
constexpr int64_t kEvents = 20000;
constexpr const char* kConsumed = R"(segd_events_consumed_total{topic="events"})";

TEST(SegdDaemonTest, AnOutputOutagePausesConsumptionAtTheOutboxLimit) {
  const TempDir dir("backpressure");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 2000, .events = kEvents, .seed = 31}, input).has_value());
  auto reference = make_reference(input, 1, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  auto broker = start_broker_with_topic_down("segment-changes");
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  const std::string state = dir.file("state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .batch_max_events = 500},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const std::vector<std::string> flags = {"--outbox.max_pending=300",
                                          "--outbox.shutdown_drain_timeout_ms=1000"};

  // The output's broker is down: the outbox fills up to its limit, and consumption stops there.
  auto first = start_segd(*config, ExitMode::kOnSignal, dir.file("first.log"), flags);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(wait_for_log(*first, "consumption paused", milliseconds(60000)).has_value())
      << first->log();
  ASSERT_TRUE(wait_for_metric(*first, "segd_consumption_paused", 1, milliseconds(10000)));
  std::this_thread::sleep_for(seconds(1));  // The batch consumed before the pause commits.
  const double consumed_at_pause = metric_value(*first, kConsumed).value_or(0);
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(metric_value(*first, kConsumed).value_or(0), consumed_at_pause)
      << "consumed while paused";
  EXPECT_LT(consumed_at_pause, static_cast<double>(kEvents) / 2);
  first->process.kill(SIGTERM);  // The outbox cannot drain: exit 1, the rest kept for later.
  auto code = first->wait(milliseconds(30000));
  ASSERT_TRUE(code.has_value()) << first->log();
  EXPECT_EQ(*code, 1) << first->log();
  auto first_summary = parse_summary(first->log());
  ASSERT_TRUE(first_summary.has_value()) << first_summary.error().message;

  // Restarted with the outbox still full: paused before its first message.
  auto second = start_segd(*config, ExitMode::kOnSignal, dir.file("second.log"), flags);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_TRUE(wait_for_log(*second, "consumption paused", milliseconds(30000)).has_value())
      << second->log();
  ASSERT_TRUE(wait_for_log(*second, "pipeline: assigned", milliseconds(30000)).has_value());
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(metric_value(*second, kConsumed).value_or(0), 0) << second->log();

  // The outage ends: the outbox drains, consumption resumes where it stopped.
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-up 2"));
  ASSERT_TRUE(wait_for_log(*second, "consumption resumed", milliseconds(60000)).has_value())
      << second->log();
  const size_t delivered =
      wait_for_changes(broker->bootstrap(), 1, reference->changes.size(), seconds(120));
  EXPECT_EQ(delivered, reference->changes.size()) << "distinct SegmentChanges after the outage";
  second->process.kill(SIGTERM);
  code = second->wait(milliseconds(60000));
  ASSERT_TRUE(code.has_value()) << second->log();
  ASSERT_EQ(*code, 0) << second->log();
  auto second_summary = parse_summary(second->log());
  ASSERT_TRUE(second_summary.has_value()) << second_summary.error().message;
  const TopicSummary& before = first_summary->topics["events"];
  const TopicSummary& after = second_summary->topics["events"];
  EXPECT_EQ(before.consumed + after.consumed, kEvents) << "every event consumed exactly once";
  EXPECT_EQ(after.consumed, after.processed + after.duplicates + after.dead_lettered_total());
  const std::string diff = compare_with_reference(*reference, broker->bootstrap(), 1, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
