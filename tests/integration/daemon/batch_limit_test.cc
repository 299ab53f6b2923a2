// engine.batch_max_events bounds every batch, also below the consumer's chunk of 256 messages.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

// The limit was checked only after a whole chunk: with batch_max_events 7, 300 events made
// 2 batches.
TEST(SegdDaemonTest, NoBatchHoldsMoreEventsThanBatchMaxEvents) {
  constexpr int64_t kEvents = 300;
  constexpr int64_t kLimit = 7;
  const TempDir dir("batch-limit");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 50, .events = kEvents, .seed = 5}, input).has_value());
  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("state"),
                                   .input_topics = {"events"},
                                   .batch_max_events = kLimit},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(60));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->topics["events"].consumed, kEvents);
  EXPECT_GE(summary->batches, (kEvents + kLimit - 1) / kLimit);
}

}  // namespace
}  // namespace segd::test
