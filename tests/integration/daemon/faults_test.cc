// segd through broker faults (3 mock brokers): one broker down for 5 s, injected produce errors,
// every broker down for 8 s, all during one run while input keeps arriving. Nothing may be lost:
// the run must deliver every SegmentChange of an offline replay and stop cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <thread>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int32_t kPartitions = 6;

// Produces the chunks one after another, a pause between them. Returns the first failure.
std::string produce_chunks(const std::string& bootstrap, const std::vector<std::string>& chunks) {
  for (const std::string& chunk : chunks) {
    // A long message timeout: deliveries wait out the 8 s outage instead of failing.
    auto r = produce_file(bootstrap, "events", chunk, {"--property", "message.timeout.ms=120000"});
    if (!r) {
      return chunk + ": " + r.error().message;
    }
    std::this_thread::sleep_for(milliseconds(1000));
  }
  return {};
}

TEST(SegdDaemonTest, BrokerFaults) {
  const TempDir dir("faults");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 6000, .events = 60000, .seed = 23}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  const std::string p = ":" + std::to_string(kPartitions);
  auto broker = start_broker(3, {"events" + p, "segment-changes" + p, "segd-dead-letters" + p});
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto segd = start_segd(*config, ExitMode::kOnSignal, dir.file("segd.log"));
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(wait_for_log(*segd, "pipeline: assigned", milliseconds(30000)).has_value());
  auto producing = std::async(std::launch::async, produce_chunks, broker->bootstrap(),
                              split_file(input, 12, dir));
  std::this_thread::sleep_for(seconds(1));
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-down 2"));
  std::this_thread::sleep_for(seconds(5));
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-up 2"));
  ASSERT_NO_FATAL_FAILURE(control(*broker,
                                  "request-errors Produce NOT_LEADER_FOR_PARTITION "
                                  "REQUEST_TIMED_OUT _TRANSPORT NOT_ENOUGH_REPLICAS _TRANSPORT"));
  std::this_thread::sleep_for(seconds(2));
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-down -1"));
  std::this_thread::sleep_for(seconds(8));
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-up -1"));
  const std::string produce_error = producing.get();
  ASSERT_TRUE(produce_error.empty()) << "input producer: " << produce_error;

  // The faulted run itself must deliver everything; then it must stop cleanly on SIGTERM.
  const size_t delivered =
      wait_for_changes(broker->bootstrap(), kPartitions, reference->changes.size(), seconds(120));
  EXPECT_EQ(delivered, reference->changes.size()) << "distinct SegmentChanges after recovery";
  segd->process.kill(SIGTERM);
  auto code = segd->wait(milliseconds(60000));
  ASSERT_TRUE(code.has_value()) << "segd still running 60 s after SIGTERM:\n" << segd->log();
  ASSERT_EQ(*code, 0) << segd->log();
  auto summary = parse_summary(segd->log());
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  const std::string log = segd->log();
  RecordProperty("faulted_run_consumed", std::to_string(events.consumed));
  RecordProperty("faulted_run_warnings", std::to_string(occurrences(log, " warn ")));

  // Anything consumed-but-unchanged after the last change is finished by a second, clean run.
  auto rest = run_segd_to_end(*config, dir, "segd-rest.log", seconds(120));
  ASSERT_TRUE(rest.has_value()) << rest.error().code << ": " << rest.error().message;
  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
