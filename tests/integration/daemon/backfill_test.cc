// A backfill as the README documents it, beside a running live segd: a second segd with a fresh
// state dir, its own group, output and dead-letter topics, and --exit-at-end. It must produce
// exactly what an offline replay does, and leave the live instance's topics and partitions alone.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int32_t kPartitions = 4;
constexpr int64_t kEvents = 20000;

// Records now in `topic`; -1 when it cannot be read.
int64_t records_in(const std::string& bootstrap, const std::string& topic) {
  auto records = read_topic(bootstrap, topic, kPartitions);
  return records ? static_cast<int64_t>(records->size()) : -1;
}

TEST(SegdDaemonTest, BackfillBesideTheLiveInstanceLeavesItAlone) {
  const TempDir dir("backfill");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(
      gen_events({.customers = 2000, .events = kEvents, .seed = 41, .bad_rate = 0.01}, input)
          .has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;

  std::vector<std::string> topics = topics_with(kPartitions);
  for (const char* t : {"segment-changes-backfill", "segd-dead-letters-backfill"}) {
    topics.push_back(std::string(t) + ":" + std::to_string(kPartitions));
  }
  auto broker = start_broker(1, topics);
  ASSERT_TRUE(broker.has_value());
  auto produced = produce_file(broker->bootstrap(), "events", input);
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("live-state"),
                                   .input_topics = {"events"}},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto live = start_segd(*config, ExitMode::kOnSignal, dir.file("live.log"));
  ASSERT_TRUE(live.has_value()) << live.error().message;
  ASSERT_EQ(
      wait_for_changes(broker->bootstrap(), kPartitions, reference->changes.size(), seconds(120)),
      reference->changes.size())
      << "the live instance's output before the backfill";
  const int64_t live_changes = records_in(broker->bootstrap(), "segment-changes");
  const int64_t live_dead_letters = records_in(broker->bootstrap(), "segd-dead-letters");
  ASSERT_GT(live_dead_letters, 0) << "the input has malformed lines";
  const size_t live_revocations = occurrences(live->log(), "partitions revoked");

  // The README's backfill command, with a free admin port.
  const std::string backfill_state = dir.file("backfill-state");
  auto backfill = run_segd_to_end(
      *config, dir, "backfill.log", seconds(120),
      {"--state.dir=" + backfill_state, "--kafka.group_id=segd-backfill",
       "--kafka.output_topic=segment-changes-backfill",
       "--kafka.dead_letter_topic=segd-dead-letters-backfill", "--admin.listen=127.0.0.1:0"});
  ASSERT_TRUE(backfill.has_value()) << backfill.error().code << ": " << backfill.error().message;
  const TopicSummary& events = backfill->topics["events"];
  EXPECT_EQ(events.consumed, kEvents) << "a fresh state dir starts at the beginning";
  EXPECT_EQ(records_in(broker->bootstrap(), "segd-dead-letters-backfill"),
            events.dead_lettered_total());
  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, backfill_state, dir,
                             OutputFormat::kJson, "segment-changes-backfill");
  EXPECT_TRUE(diff.empty()) << diff;

  // The live instance's topics and partitions are as they were.
  EXPECT_EQ(records_in(broker->bootstrap(), "segment-changes"), live_changes);
  EXPECT_EQ(records_in(broker->bootstrap(), "segd-dead-letters"), live_dead_letters);
  EXPECT_EQ(occurrences(live->log(), "partitions revoked"), live_revocations)
      << "the backfill's group must not rebalance the live one";
  live->process.kill(SIGTERM);
  auto code = live->wait(milliseconds(60000));
  ASSERT_TRUE(code.has_value()) << live->log();
  EXPECT_EQ(*code, 0) << live->log();
}

}  // namespace
}  // namespace segd::test
