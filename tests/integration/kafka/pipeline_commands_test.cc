// Pipeline::execute() against a real consumer (segd-devbroker) and RocksDB on disk: a command
// from the admin API or the rules reloader that comes when the pipeline no longer runs commands
// fails with `shutting_down` instead of waiting forever (which hung segd's shutdown).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "core/segments/rule_set.h"
#include "integration/kafka/broker_and_store.h"
#include "io/pipeline/outbox_drainer.h"
#include "io/pipeline/pipeline.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

// The outcome of `pending`, or a failed test and an exit when it still waits after 20 s (a
// thread blocked in execute() cannot be joined).
core::Result<void> outcome(std::future<core::Result<void>>& pending) {
  if (pending.wait_for(seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "execute() still waits after run() returned";
    std::_Exit(1);
  }
  return pending.get();
}

TEST(PipelineCommandsTest, CommandsThatRunNoLongerTakesFailInsteadOfWaiting) {
  const auto env = start_broker_and_store({"events:1"});
  ASSERT_TRUE(env);
  env->config.inputs = {{"events"}};
  io::PipelineStats stats;
  auto drainer = io::OutboxDrainer::create(env->config, *env->store, stats);
  ASSERT_TRUE(drainer.has_value()) << drainer.error().message;
  auto rules = core::RuleSet::compile({});
  ASSERT_TRUE(rules.has_value());
  auto pipeline = io::Pipeline::create(env->config, *env->store, *rules, stats, **drainer, {});
  ASSERT_TRUE(pipeline.has_value()) << pipeline.error().message;

  int ran = 0;
  const auto command = [&](io::Pipeline&) { ++ran; };
  // Waiting when run() returns without taking it (stopped at once) ...
  std::future<core::Result<void>> waiting =
      std::async(std::launch::async, [&] { return (*pipeline)->execute(command); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::atomic<bool> stop{true};
  ASSERT_TRUE((*pipeline)->run(stop, io::Pipeline::StopAt::kSignal).has_value());
  const auto first = outcome(waiting);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, "shutting_down");
  // ... and given after it returned.
  std::future<core::Result<void>> late =
      std::async(std::launch::async, [&] { return (*pipeline)->execute(command); });
  const auto second = outcome(late);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, "shutting_down");
  EXPECT_EQ(ran, 0);
  ASSERT_TRUE((*pipeline)->close().has_value());
}

}  // namespace
}  // namespace segd::test
