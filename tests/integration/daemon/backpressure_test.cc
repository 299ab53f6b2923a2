// segd through an output outage with a bounded outbox (outbox.max_pending): it must stop consuming
// once the outbox is full instead of filling the state dir, stay paused across a restart, and
// after the outage consume the rest exactly once and deliver everything.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Within the dev broker's 5 MiB per partition (about 3.5 MB).
constexpr int64_t kEvents = 20000;
constexpr const char* kConsumed = R"(segd_events_consumed_total{topic="events"})";

// 20,000 events in a one-partition `events` topic whose output topic's broker is down, segd's
// config with 500-event batches, and the replay segd must match.
struct Outage {
  Reference reference;
  DevBroker broker;
  std::string state;
  std::string config;
};

std::optional<Outage> start_outage(const TempDir& dir, uint64_t seed) {
  const std::string input = dir.file("events.jsonl");
  if (auto made = gen_events({.customers = 2000, .events = kEvents, .seed = seed}, input); !made) {
    ADD_FAILURE() << made.error().message;
    return std::nullopt;
  }
  auto reference = make_reference(input, 1, dir);
  if (!reference) {
    ADD_FAILURE() << reference.error().message;
    return std::nullopt;
  }
  auto broker = start_broker_with_topic_down("segment-changes");
  if (!broker) {
    return std::nullopt;
  }
  if (auto produced = produce_file(broker->bootstrap(), "events", input); !produced) {
    ADD_FAILURE() << produced.error().message;
    return std::nullopt;
  }
  const std::string state = dir.file("state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .batch_max_events = 500},
                                  dir);
  if (!config) {
    ADD_FAILURE() << config.error().message;
    return std::nullopt;
  }
  return Outage{std::move(*reference), std::move(*broker), state, *config};
}

// Ends the outage under a running, paused `segd`: it must resume, deliver every change of the
// replay, and stop cleanly on SIGTERM; its summary goes to `summary`.
void end_outage(SegdProcess& segd, Outage& outage, Summary& summary) {
  ASSERT_NO_FATAL_FAILURE(control(outage.broker, "broker-up 2"));
  ASSERT_TRUE(wait_for_log(segd, "consumption resumed", milliseconds(60000)).has_value())
      << segd.log();
  const size_t delivered =
      wait_for_changes(outage.broker.bootstrap(), 1, outage.reference.changes.size(), seconds(120));
  EXPECT_EQ(delivered, outage.reference.changes.size())
      << "distinct SegmentChanges after the outage";
  segd.process.kill(SIGTERM);
  auto code = segd.wait(milliseconds(60000));
  ASSERT_TRUE(code.has_value()) << segd.log();
  ASSERT_EQ(*code, 0) << segd.log();
  auto parsed = parse_summary(segd.log());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  summary = std::move(*parsed);
}

const std::vector<std::string> kFlags = {"--outbox.max_pending=300",
                                         "--outbox.shutdown_drain_timeout_ms=1000"};

TEST(SegdDaemonTest, AnOutputOutagePausesConsumptionAtTheOutboxLimit) {
  const TempDir dir("backpressure");
  auto outage = start_outage(dir, 31);
  ASSERT_TRUE(outage.has_value());

  // The output's broker is down: the outbox fills up to its limit, and consumption stops there.
  auto first = start_segd(outage->config, ExitMode::kOnSignal, dir.file("first.log"), kFlags);
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
  auto second = start_segd(outage->config, ExitMode::kOnSignal, dir.file("second.log"), kFlags);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_TRUE(wait_for_log(*second, "consumption paused", milliseconds(30000)).has_value())
      << second->log();
  ASSERT_TRUE(wait_for_log(*second, "pipeline: assigned", milliseconds(30000)).has_value());
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(metric_value(*second, kConsumed).value_or(0), 0) << second->log();

  // The outage ends: the outbox drains, consumption resumes where it stopped.
  Summary second_summary;
  ASSERT_NO_FATAL_FAILURE(end_outage(*second, *outage, second_summary));
  const TopicSummary& before = first_summary->topics["events"];
  const TopicSummary& after = second_summary.topics["events"];
  EXPECT_EQ(before.consumed + after.consumed, kEvents) << "every event consumed exactly once";
  EXPECT_EQ(after.consumed, after.processed + after.duplicates + after.dead_lettered_total());
  const std::string diff =
      compare_with_reference(outage->reference, outage->broker.bootstrap(), 1, outage->state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

// librdkafka 2.0 could resume a partition past messages that a batch consume had taken when a
// pause dropped them: pauses in the middle of the input, then resumes (and, with the output back
// and so small a limit, more of both), must still read every event exactly once.
TEST(SegdDaemonTest, APauseInTheMiddleOfTheInputResumesRightAfterTheLastMessageRead) {
  const TempDir dir("backpressure-resume");
  auto outage = start_outage(dir, 32);
  ASSERT_TRUE(outage.has_value());
  auto segd = start_segd(outage->config, ExitMode::kOnSignal, dir.file("segd.log"), kFlags);
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(wait_for_log(*segd, "consumption paused", milliseconds(60000)).has_value())
      << segd->log();
  Summary summary;
  ASSERT_NO_FATAL_FAILURE(end_outage(*segd, *outage, summary));
  const TopicSummary& events = summary.topics["events"];
  EXPECT_EQ(events.consumed, kEvents) << "every event consumed exactly once";
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  RecordProperty("pauses", std::to_string(occurrences(segd->log(), "consumption paused")));
  const std::string diff =
      compare_with_reference(outage->reference, outage->broker.bootstrap(), 1, outage->state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
