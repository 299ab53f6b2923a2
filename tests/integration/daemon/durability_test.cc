// `state.durability: power_loss` reaches the store: the running daemon fsyncs RocksDB's WAL on
// every commit (the store-level test covers both modes; this one covers the config's wiring).
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

TEST(SegdDaemonTest, PowerLossDurabilityFsyncsTheWalOnEveryCommit) {
  constexpr int32_t kPartitions = 2;
  constexpr int64_t kEvents = 3000;
  const TempDir dir("durability");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 300, .events = kEvents, .seed = 17}, input).has_value());
  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_file(broker->bootstrap(), "events", input).has_value());
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("segd-state"),
                                   .input_topics = {"events"},
                                   .batch_max_events = 500},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto segd = start_segd(*config, ExitMode::kOnSignal, dir.file("segd.log"),
                         {"--state.durability=power_loss"});
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(
      wait_for_metric(*segd, R"(segd_events_consumed_total{topic="events"})", kEvents, seconds(60)))
      << segd->log();
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  // The batch holding the last events may still be committing: wait until the counts settle.
  std::optional<double> batches;
  std::optional<double> syncs;
  for (std::optional<double> last; !batches || batches != last;) {
    last = batches;
    std::this_thread::sleep_for(milliseconds(300));
    batches = metric_value(*segd, "segd_batches_total");
    syncs = metric_value(*segd, "segd_rocksdb_wal_syncs_total");
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << segd->log();
  }
  ASSERT_TRUE(batches && syncs) << segd->log();
  EXPECT_GE(*batches, 6.0) << "3000 events in batches of at most 500";
  EXPECT_GE(*syncs, *batches);
  EXPECT_NE(segd->log().find("state: the WAL is fsynced on every commit"), std::string::npos);

  segd->process.kill(SIGTERM);
  auto code = segd->wait(milliseconds(30000));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << segd->log();
}

}  // namespace
}  // namespace segd::test
