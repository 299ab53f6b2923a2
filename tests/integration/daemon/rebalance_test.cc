// Two segd instances in one consumer group, each with its own state dir, while input keeps
// arriving: the second one's join moves half the partitions to it, then the first is SIGKILLed
// and the second takes over everything. Each instance starts a partition it has no state for at
// the beginning of the topic and one it owned before at its own stored offset, so the changes of
// the killed instance's undelivered outbox are produced again, with the same event_ids. What the
// two published (deduplicated by event_id) and the survivor's final state must equal an offline
// `segctl replay`.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int32_t kPartitions = 4;

// How often `needle` occurs in `text`.
size_t occurrences(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Waits until segd's log holds `needle` at least `times` times.
void wait_for_count(SegdProcess& segd,
                    std::string_view needle,
                    size_t times,
                    milliseconds timeout,
                    const std::string& who) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (occurrences(segd.log(), needle) < times) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << who << " did not log '" << needle << "' " << times << " times:\n"
        << segd.log();
    ASSERT_FALSE(segd.process.wait(milliseconds(50)).has_value()) << who << " exited early:\n"
                                                                  << segd.log();
  }
}

void produce(const std::string& bootstrap, const std::string& chunk) {
  auto r = produce_file(bootstrap, "events", chunk);
  ASSERT_TRUE(r.has_value()) << chunk << ": " << r.error().message;
}

TEST(SegdDaemonTest, RebalancesMovePartitionsWithoutLoss) {
  const TempDir dir("rebalance");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 3000, .events = 30000, .seed = 31}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  const std::vector<std::string> chunks = split_file(input, 4, dir);
  ASSERT_EQ(chunks.size(), 4u);

  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  // Separate config dirs: write_segd_config names its file segd.yaml.
  const TempDir a_dir("rebalance-a");
  const TempDir b_dir("rebalance-b");
  const std::string b_state = b_dir.file("state");
  auto a_config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = a_dir.file("state"),
                                     .input_topics = {"events"},
                                     .batch_max_events = 500},
                                    a_dir);
  auto b_config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = b_state,
                                     .input_topics = {"events"},
                                     .batch_max_events = 500},
                                    b_dir);
  ASSERT_TRUE(a_config.has_value() && b_config.has_value());

  // A alone owns all four partitions.
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[0]));
  auto a = start_segd(*a_config, ExitMode::kOnSignal, a_dir.file("segd.log"));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*a, "pipeline: assigned", 1, milliseconds(30000), "A"));
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[1]));

  // B joins: A commits and gives up its partitions, and the group splits them between the two.
  auto b = start_segd(*b_config, ExitMode::kOnSignal, b_dir.file("segd.log"));
  ASSERT_TRUE(b.has_value()) << b.error().message;
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*b, "pipeline: assigned", 1, milliseconds(30000), "B"));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*a, "pipeline: partitions revoked", 1, milliseconds(5000), "A"));
  // Range assignment of 4 partitions to 2 members: each logs two partitions after the split.
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*a, "pipeline: assigned", 4 + 2, milliseconds(5000), "A"));
  ASSERT_NO_FATAL_FAILURE(wait_for_count(*b, "pipeline: assigned", 2, milliseconds(5000), "B"));
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[2]));
  std::this_thread::sleep_for(seconds(2));

  // A dies without a word: after the session timeout B owns all four.
  a->process.kill(SIGKILL);
  auto a_code = a->wait(milliseconds(10000));
  ASSERT_TRUE(a_code.has_value());
  EXPECT_EQ(*a_code, 128 + SIGKILL) << "A ended by itself:\n" << a->log();
  ASSERT_NO_FATAL_FAILURE(produce(broker->bootstrap(), chunks[3]));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*b, "pipeline: partitions revoked", 1, milliseconds(30000), "B"));
  ASSERT_NO_FATAL_FAILURE(
      wait_for_count(*b, "pipeline: assigned", 2 + 4, milliseconds(30000), "B"));

  // B alone delivers everything, A's undelivered changes included (it produces them again).
  EXPECT_EQ(
      wait_for_changes(broker->bootstrap(), kPartitions, reference->changes.size(), seconds(120)),
      reference->changes.size())
      << "distinct SegmentChanges once B owns every partition";
  b->process.kill(SIGTERM);
  auto b_code = b->wait(milliseconds(60000));
  ASSERT_TRUE(b_code.has_value()) << "B still running 60 s after SIGTERM:\n" << b->log();
  ASSERT_EQ(*b_code, 0) << b->log();
  for (const SegdProcess* p : {&*a, &*b}) {
    // Every line in segd's own format: librdkafka's go through its log too.
    for (const std::string& line : split_lines(p->log())) {
      EXPECT_FALSE(line.starts_with('%')) << "a line in librdkafka's own format: " << line;
    }
  }
  // What B consumed but had not finished (it changes nothing any more) is done by a run to the
  // end of the input from its state dir.
  auto rest = run_segd_to_end(*b_config, b_dir, "segd-rest.log", seconds(120));
  ASSERT_TRUE(rest.has_value()) << rest.error().code << ": " << rest.error().message;
  const TopicSummary& events = rest->topics["events"];
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());

  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, b_state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
