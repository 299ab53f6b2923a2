// A partition that now ends below the position segd had reached (the topic was deleted and
// created again, or the log truncated): segd tells so as soon as it reads the partition's end,
// moves its position down to that end, and reads the partition's new messages from there, even
// once they reach past the old position.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

TEST(SegdDaemonTest, APartitionRecreatedEmptyIsToldAtItsEndAndReadFromItsNewBeginning) {
  constexpr size_t kFirst = 1000;  // read from the first broker's topic
  const TempDir dir("truncation");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 300, .events = 3000, .seed = 11}, input).has_value());
  const std::vector<std::string> lines = split_lines(read_text(input));
  ASSERT_EQ(lines.size(), 3000U);
  const std::string first = dir.file("first.jsonl");
  const std::string rest = dir.file("rest.jsonl");
  ASSERT_TRUE(write_text(first, join_lines(lines, 0, kFirst)).has_value());
  ASSERT_TRUE(write_text(rest, join_lines(lines, kFirst, lines.size())).has_value());
  const std::string state = dir.file("segd-state");

  {
    auto broker = start_broker(1, topics_with(1));
    ASSERT_TRUE(broker.has_value());
    auto config = write_segd_config(
        {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
    ASSERT_TRUE(config.has_value()) << config.error().message;
    ASSERT_TRUE(produce_file(broker->bootstrap(), "events", first).has_value());
    auto run = run_segd_to_end(*config, dir, "segd-1.log", seconds(120));
    ASSERT_TRUE(run.has_value()) << run.error().code << ": " << run.error().message;
    ASSERT_EQ(run->topics["events"].consumed, static_cast<int64_t>(kFirst));
  }

  // The topic as created again: a new broker, empty. segd's position is 1000; the partition
  // ends at 0.
  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto empty = run_segd_to_end(*config, dir, "segd-2.log", seconds(120));
  ASSERT_TRUE(empty.has_value()) << empty.error().code << ": " << empty.error().message;
  EXPECT_EQ(empty->topics["events"].consumed, 0);
  const std::string log = read_text(dir.file("segd-2.log"));
  EXPECT_NE(log.find("events/0 now ends at offset 0, below the position " + std::to_string(kFirst) +
                     " segd had reached: the partition was truncated or recreated"),
            std::string::npos)
      << log;

  // While segd is down, the new topic gets more messages than the old position: all of them are
  // read, from its beginning (the position stored at 1000 read only the last 1000).
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", rest).has_value());
  auto after = run_segd_to_end(*config, dir, "segd-3.log", seconds(120));
  ASSERT_TRUE(after.has_value()) << after.error().code << ": " << after.error().message;
  const TopicSummary& events = after->topics["events"];
  EXPECT_EQ(events.consumed, static_cast<int64_t>(lines.size() - kFirst));
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  EXPECT_EQ(read_text(dir.file("segd-3.log")).find("truncated or recreated"), std::string::npos);

  // The state is that of every event, replayed offline in the order segd read them.
  auto reference = make_reference(input, 1, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  auto exported = export_state(state, dir);
  ASSERT_TRUE(exported.has_value()) << exported.error().message;
  EXPECT_EQ(diff_text(reference->export_text, *exported), "");
}

}  // namespace
}  // namespace segd::test
