// segd killed during its very first start (OOM, a pod evicted) leaves its state dir half created;
// the restarted segd must finish it rather than refuse it, or it never starts again.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

// The state dir held segd's marker and RocksDB's LOCK and LOG (segd killed before RocksDB wrote
// CURRENT): segd refused it as "not a segd state dir" on every restart.
TEST(SegdDaemonTest, ARestartFinishesAStateDirWhoseCreationWasCutShort) {
  constexpr int32_t kPartitions = 2;
  const TempDir dir("state-dir-cut-short");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 100, .events = 1000, .seed = 11}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;

  const std::string state = dir.file("segd-state");
  std::filesystem::create_directory(state);
  for (const char* name : {"SEGD_STATE_DIR", "LOCK", "LOG"}) {
    ASSERT_TRUE(write_text(state + "/" + name, "").has_value());
  }
  auto broker = start_broker_with_events(input, kPartitions);
  ASSERT_TRUE(broker.has_value());
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = state, .input_topics = {"events"}}, dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  EXPECT_EQ(summary->topics["events"].consumed, 1000);
  const std::string diff =
      compare_with_reference(*reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
