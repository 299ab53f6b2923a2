// What segd does with the partitions of an assignment, seen through librdkafka's own debug log.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

// A fresh state dir starts each partition at its beginning, which librdkafka resolves with an
// offset query. segd used to resume every newly assigned partition right after the assignment,
// paused or not: the resume made the queries in flight outdated, librdkafka dropped their replies
// and asked again about half a second later, and most partitions started reading that late (on
// the benchmark machine the pipeline waited for input 0.1-0.55 s of a 3 s run).
TEST(SegdDaemonTest, AFreshStartReadsEveryPartitionFromItsFirstOffsetQuery) {
  const TempDir dir("assignment-fresh");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 200, .events = 2000, .seed = 11}, input).has_value());
  auto broker = start_broker(1, topics_with(8));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  SegdOptions options{.brokers = broker->bootstrap(),
                      .state_dir = dir.file("segd-state"),
                      .input_topics = {"events"}};
  options.rdkafka["debug"] = "topic";  // Logs each offset query's reply.
  auto config = write_segd_config(options, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120), {"--log.level", "debug"});
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->topics["events"].consumed, 2000);
  const std::string log = read_text(dir.file("segd.log"));
  EXPECT_GE(occurrences(log, "querying for logical offset BEGINNING"), 8U) << log;
  EXPECT_EQ(occurrences(log, "Local: Outdated"), 0U) << log;
}

}  // namespace
}  // namespace segd::test
