// Erasure events in the input topic: the live daemon and an offline replay of the same partitions
// erase each customer at the same place of its partition, so a rebuild from the topic (a new
// owner after a rebalance, a backfill) does not bring an erased customer back.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

// `line`'s "ts" member as JSON text: a quoted RFC 3339 string or epoch milliseconds.
std::string ts_json(const std::string& line) {
  const std::string ts = json_field(line, "ts").value_or("0");
  return line.find("\"ts\":\"") != std::string::npos ? "\"" + ts + "\"" : ts;
}

TEST(SegdDaemonTest, ErasureEventsEraseAtTheSamePlaceLiveAndInAReplay) {
  constexpr int32_t kPartitions = 4;
  const TempDir dir("erasure-events");
  const std::string generated = dir.file("generated.jsonl");
  ASSERT_TRUE(gen_events({.customers = 1500, .events = 20000, .seed = 61}, generated).has_value());
  // After every 500th event, an erasure of that event's customer at that event's time.
  std::string input_text;
  int erasures = 0;
  const std::vector<std::string> lines = split_lines(read_text(generated));
  for (size_t i = 0; i < lines.size(); ++i) {
    input_text += lines[i] + "\n";
    const auto customer = json_field(lines[i], "customer_id");
    if (i % 500 == 499 && customer) {
      input_text += R"({"type":"erasure","customer_id":")" + *customer + R"(","ts":)" +
                    ts_json(lines[i]) + R"(,"event_id":"erase-)" + std::to_string(++erasures) +
                    "\"}\n";
    }
  }
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(write_text(input, input_text).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  int erasure_exits = 0;
  for (const std::string& change : reference->changes) {
    erasure_exits += change.find(R"("kind":"erasure","event_id":"erase-)") != std::string::npos;
  }
  ASSERT_GT(erasure_exits, 0) << "some erased customers should have been in segments";

  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, static_cast<int64_t>(lines.size()) + erasures);
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  EXPECT_EQ(events.dead_lettered_total(), 0);
  EXPECT_EQ(occurrences(read_text(dir.file("segd.log")), "audit: erased customer '"),
            static_cast<size_t>(erasures));

  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
