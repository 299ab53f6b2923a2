// The partition count decides which partition holds a customer (murmur2 modulo the count), so segd
// refuses to run on input topics whose counts differ, or differ from the count the state dir was
// built with, instead of splitting customers' state across partitions.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs segd --exit-at-end, which must stop on its own with exit code 1; returns its log.
std::string run_expecting_refusal(const std::string& config,
                                  const TempDir& dir,
                                  const std::string& log_name) {
  auto segd = start_segd(config, ExitMode::kAtEnd, dir.file(log_name));
  EXPECT_TRUE(segd.has_value()) << segd.error().message;
  if (!segd) {
    return {};
  }
  auto code = segd->wait(milliseconds(60000));
  EXPECT_TRUE(code.has_value()) << "segd did not stop: " << segd->log();
  if (code) {
    EXPECT_EQ(*code, 1) << segd->log();
  }
  return segd->log();
}

TEST(SegdDaemonTest, InputTopicsWithDifferentPartitionCountsAreRefusedNamingThem) {
  const TempDir dir("partitioning-topics");
  auto broker =
      start_broker(1, {"clicks:2", "purchases:4", "segment-changes:2", "segd-dead-letters:1"});
  ASSERT_TRUE(broker.has_value());
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("segd-state"),
                                   .input_topics = {"clicks", "purchases"}},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const std::string log = run_expecting_refusal(*config, dir, "segd.log");
  EXPECT_NE(log.find("partitioning: kafka.input_topics: every input topic must have the same "
                     "partition count (a customer's events of all topics are processed in one "
                     "partition), but 'clicks' has 2 and 'purchases' has 4"),
            std::string::npos)
      << log;
}

TEST(SegdDaemonTest, AStateDirBuiltWithAnotherPartitionCountIsRefusedAndLeftAsItWas) {
  const TempDir dir("partitioning-state");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 200, .events = 2000, .seed = 5}, input).has_value());
  const std::string state = dir.file("segd-state");
  std::string built;
  {
    auto broker = start_broker(1, topics_with(2));
    ASSERT_TRUE(broker.has_value());
    ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
    auto config = write_segd_config(
        {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
    ASSERT_TRUE(config.has_value()) << config.error().message;
    auto summary = run_segd_to_end(*config, dir, "built.log", seconds(120));
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    ASSERT_EQ(summary->topics["events"].consumed, 2000);
    auto exported = export_state(state, dir);
    ASSERT_TRUE(exported.has_value()) << exported.error().message;
    built = *exported;
  }
  // The same topic recreated with 4 partitions (as after adding partitions to it).
  auto broker = start_broker(1, topics_with(4));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const std::string log = run_expecting_refusal(*config, dir, "refused.log");
  EXPECT_NE(log.find("partitioning: state.dir: the state dir was built from input topics with 2 "
                     "partitions, but 'events' now has 4;"),
            std::string::npos)
      << log;
  auto after = export_state(state, dir);
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_TRUE(diff_text(built, *after).empty()) << diff_text(built, *after);
}

}  // namespace
}  // namespace segd::test
