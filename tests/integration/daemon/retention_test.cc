// Messages the broker removes (retention) before segd reads them: segd goes on at the partition's
// new beginning, logs and counts the gap (summary `lost_to_retention`), and what it publishes and
// stores equals a replay of exactly the events it could read.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

TEST(SegdDaemonTest, MessagesRemovedByRetentionAreCountedAndProcessingGoesOn) {
  constexpr size_t kFirst = 5000;
  const TempDir dir("retention");
  const std::string input = dir.file("events.jsonl");
  // 45k events of ~200 bytes on one partition: the dev broker keeps only its last 5 MiB.
  ASSERT_TRUE(gen_events({.customers = 2000, .events = 45000, .seed = 5}, input).has_value());
  const std::vector<std::string> lines = split_lines(read_text(input));
  const std::string first = dir.file("first.jsonl");
  const std::string rest = dir.file("rest.jsonl");
  ASSERT_TRUE(write_text(first, join_lines(lines, 0, kFirst)).has_value());
  ASSERT_TRUE(write_text(rest, join_lines(lines, kFirst, lines.size())).has_value());

  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto produced = produce_file(broker->bootstrap(), "events", first);
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  auto before = run_segd_to_end(*config, dir, "segd-1.log", seconds(120));
  ASSERT_TRUE(before.has_value()) << before.error().code << ": " << before.error().message;
  EXPECT_EQ(before->topics["events"].lost_to_retention, 0);

  // While segd is down, the rest arrives and retention drops the oldest messages, among them
  // ones segd has not read.
  produced = produce_file(broker->bootstrap(), "events", rest);
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  auto held = read_topic(broker->bootstrap(), "events", 1);
  ASSERT_TRUE(held.has_value()) << held.error().message;
  ASSERT_FALSE(held->empty());
  const int64_t log_start = held->front().offset;
  ASSERT_GT(log_start, static_cast<int64_t>(kFirst)) << "retention should have removed unread";
  const int64_t removed_unread = log_start - static_cast<int64_t>(kFirst);

  auto after = run_segd_to_end(*config, dir, "segd-2.log", seconds(120));
  ASSERT_TRUE(after.has_value()) << after.error().code << ": " << after.error().message;
  const TopicSummary& events = after->topics["events"];
  EXPECT_EQ(events.lost_to_retention, removed_unread);
  EXPECT_EQ(events.consumed, static_cast<int64_t>(lines.size()) - log_start);
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  const std::string log = read_text(dir.file("segd-2.log"));
  EXPECT_NE(log.find("events/0: " + std::to_string(removed_unread) + " messages (offsets " +
                     std::to_string(kFirst) + " to " + std::to_string(log_start - 1) +
                     ") were removed by the broker's retention before segd read them"),
            std::string::npos)
      << log;

  // Exactly the events segd could read, replayed offline, give what it published and stored.
  const std::string readable = dir.file("readable.jsonl");
  ASSERT_TRUE(
      write_text(readable, join_lines(lines, 0, kFirst) +
                               join_lines(lines, static_cast<size_t>(log_start), lines.size()))
          .has_value());
  auto reference = make_reference(readable, 1, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  const std::string diff = compare_with_reference(*reference, broker->bootstrap(), 1, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
