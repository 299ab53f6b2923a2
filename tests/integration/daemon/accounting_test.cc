// segd's accounting over two co-partitioned input topics with malformed lines, duplicates and a
// message placed in the wrong partition: every consumed message is processed, deduplicated or
// dead-lettered, and every dead letter is on the DLQ topic with its reason and source.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "core/common/check.h"
#include "core/common/partitioner.h"
#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

constexpr int32_t kPartitions = 4;

// Reasons of the dead letters `segctl replay` reports for `input`, counted.
std::map<std::string, int64_t> replay_dead_letters(const std::string& input, const TempDir& dir) {
  const std::string dead = dir.file("replay-dead.jsonl");
  auto r = run_tool({bin_path("segctl"), "replay", "--input", input, "--state-dir",
                     dir.file("replay-state"), "--output", "/dev/null", "--dead-letter", dead},
                    "", seconds(120));
  EXPECT_TRUE(r.has_value()) << r.error().message;
  std::map<std::string, int64_t> reasons;
  for (const std::string& line : split_lines(read_text(dead))) {
    reasons[json_field(line, "reason").value_or("<none>")] += 1;
  }
  return reasons;
}

using SourceKey = std::tuple<std::string, int32_t, int64_t>;  // topic, partition, offset

// Every record of the input topics by (topic, partition, offset).
std::map<SourceKey, HeadedRecord> read_sources(const std::string& bootstrap) {
  std::map<SourceKey, HeadedRecord> values;
  for (const std::string topic : {"clicks", "purchases"}) {
    auto records = read_topic(bootstrap, topic, kPartitions);
    EXPECT_TRUE(records.has_value()) << records.error().message;
    for (const HeadedRecord& r : records.value_or(std::vector<HeadedRecord>{})) {
      values[{topic, r.partition, r.offset}] = r;
    }
  }
  return values;
}

// Checks each DLQ record's headers, key and payload; returns the counts by topic and reason.
std::map<std::string, std::map<std::string, int64_t>> check_dead_letters(
    const std::vector<HeadedRecord>& dlq, const std::map<SourceKey, HeadedRecord>& sources) {
  std::map<std::string, std::map<std::string, int64_t>> counts;
  for (const HeadedRecord& r : dlq) {
    const auto reason = r.header("reason");
    const auto topic = r.header("source_topic");
    const auto partition = r.header("source_partition");
    const auto offset = r.header("source_offset");
    if (!reason || !topic || !partition || !offset) {
      ADD_FAILURE() << "dead letter at partition " << r.partition << " offset " << r.offset
                    << " lacks one of reason/source_topic/source_partition/source_offset";
      continue;
    }
    counts[*topic][*reason] += 1;
    const SourceKey key{*topic, std::stoi(*partition), std::stoll(*offset)};
    const auto it = sources.find(key);
    if (it == sources.end()) {
      ADD_FAILURE() << "dead letter names no input record: " << *topic << "/" << *partition << "@"
                    << *offset;
    } else {
      EXPECT_EQ(r.value, it->second.value)
          << "dead letter payload differs from " << *topic << "/" << *partition << "@" << *offset;
      EXPECT_EQ(r.key, it->second.key)
          << "dead letter key differs from " << *topic << "/" << *partition << "@" << *offset;
    }
  }
  return counts;
}

TEST(SegdDaemonTest, Accounting) {
  const TempDir dir("accounting");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 2000, .events = 20000, .seed = 5, .bad_rate = 0.05}, input)
                  .has_value());
  const SplitInput split = split_by_type(input, dir);
  const std::map<std::string, int64_t> replay_reasons = replay_dead_letters(input, dir);
  auto broker =
      start_broker(1, {"clicks:4", "purchases:4", "segment-changes:4", "segd-dead-letters:4"});
  ASSERT_TRUE(broker.has_value());
  for (const auto& [topic, path] :
       {std::pair{"clicks", split.clicks_path}, std::pair{"purchases", split.purchases_path}}) {
    auto produced = produce_file(broker->bootstrap(), topic, path);
    ASSERT_TRUE(produced.has_value()) << produced.error().message;
  }
  const std::string stray = R"({"event_id":"stray-1","type":"page_view","customer_id":"c-stray",)"
                            R"("ts":"2026-01-05T00:00:00Z","session_id":"s-stray"})";
  const int32_t wrong = (core::partition_for_key("c-stray", kPartitions).value() + 1) % kPartitions;
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "clicks", {{wrong, "c-stray", stray}}));

  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("segd-state"),
                                   .input_topics = {"clicks", "purchases"}},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;

  int64_t dead_total = 0;
  std::map<std::string, int64_t> live_reasons;
  for (const auto& [topic, lines] :
       {std::pair{"clicks", split.clicks + 1}, std::pair{"purchases", split.purchases}}) {
    const TopicSummary& t = summary->topics[topic];
    EXPECT_EQ(t.consumed, lines) << topic;
    EXPECT_EQ(t.consumed, t.processed + t.duplicates + t.dead_lettered_total()) << topic;
    dead_total += t.dead_lettered_total();
    for (const auto& [reason, n] : t.dead_lettered) {
      live_reasons[reason] += n;
    }
  }
  EXPECT_EQ(summary->topics["clicks"].dead_lettered["wrong_partition"], 1);
  EXPECT_EQ(summary->topics["purchases"].dead_lettered.count("wrong_partition"), 0u);
  EXPECT_GT(summary->topics["clicks"].duplicates + summary->topics["purchases"].duplicates, 0);
  live_reasons.erase("wrong_partition");
  EXPECT_EQ(live_reasons, replay_reasons) << "dead-letter reasons differ from segctl replay's";

  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", kPartitions);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  EXPECT_EQ(static_cast<int64_t>(dlq->size()), dead_total) << "records on segd-dead-letters";
  const auto by_topic = check_dead_letters(*dlq, read_sources(broker->bootstrap()));
  for (const std::string topic : {"clicks", "purchases"}) {
    const auto found = by_topic.find(topic);
    const std::map<std::string, int64_t> on_dlq =
        found == by_topic.end() ? std::map<std::string, int64_t>{} : found->second;
    EXPECT_EQ(on_dlq, summary->topics[topic].dead_lettered) << "DLQ reasons for " << topic;
  }
  bool stray_found = false;
  for (const HeadedRecord& r : *dlq) {
    if (r.value == stray) {
      stray_found = true;
      EXPECT_EQ(r.header("reason"), "wrong_partition");
      EXPECT_EQ(r.header("source_topic"), "clicks");
      EXPECT_EQ(r.header("source_partition"), std::to_string(wrong));
    }
  }
  EXPECT_TRUE(stray_found) << "the wrong-partition message is not on the DLQ topic";
}

// A run with nothing to read still accounts for every input topic, at zero (the summary showed
// `"topics":{}`).
TEST(SegdDaemonTest, ARunWithNothingToReadCountsEveryInputTopicAtZero) {
  const TempDir dir("accounting-empty");
  auto broker =
      start_broker(1, {"clicks:2", "purchases:2", "segment-changes:2", "segd-dead-letters:2"});
  ASSERT_TRUE(broker.has_value());
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("segd-state"),
                                   .input_topics = {"clicks", "purchases"}},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(60));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  ASSERT_EQ(summary->topics.size(), 2u);
  for (const std::string topic : {"clicks", "purchases"}) {
    ASSERT_TRUE(summary->topics.contains(topic)) << topic;
    const TopicSummary& t = summary->topics[topic];
    EXPECT_EQ(t.consumed, 0) << topic;
    EXPECT_EQ(t.processed + t.duplicates + t.dead_lettered_total(), 0) << topic;
  }
}

}  // namespace
}  // namespace segd::test
