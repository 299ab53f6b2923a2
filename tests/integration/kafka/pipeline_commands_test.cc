// Pipeline::execute() against a real consumer (segd-devbroker) and RocksDB on disk: a command
// from the admin API or the rules reloader that comes when the pipeline no longer runs commands
// fails with `shutting_down` instead of waiting forever (which hung segd's shutdown), and one the
// pipeline does not take in time fails with `pipeline_busy` and never runs.
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

// A pipeline on a one-partition topic `events`, with its store, drainer and no rules.
struct PipelineEnv {
  std::unique_ptr<BrokerAndStore> env;
  io::PipelineStats stats;
  std::unique_ptr<io::OutboxDrainer> drainer;
  std::unique_ptr<io::Pipeline> pipeline;

  void start() {
    env = start_broker_and_store({"events:1"});
    ASSERT_TRUE(env);
    env->config.inputs = {{"events"}};
    auto made_drainer = io::OutboxDrainer::create(env->config, *env->store, stats);
    ASSERT_TRUE(made_drainer.has_value()) << made_drainer.error().message;
    drainer = std::move(*made_drainer);
    auto rules = core::RuleSet::compile({});
    ASSERT_TRUE(rules.has_value());
    auto made = io::Pipeline::create(env->config, *env->store, *rules, stats, *drainer, {});
    ASSERT_TRUE(made.has_value()) << made.error().message;
    pipeline = std::move(*made);
  }
};

// The outcome of `pending`, or a failed test and an exit when it still waits after 20 s (a
// thread blocked in execute() cannot be joined).
core::Result<void> outcome(std::future<core::Result<void>>& pending) {
  if (pending.wait_for(seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "still waiting after 20 s";
    std::_Exit(1);
  }
  return pending.get();
}

TEST(PipelineCommandsTest, CommandsThatRunNoLongerTakesFailInsteadOfWaiting) {
  PipelineEnv env;
  ASSERT_NO_FATAL_FAILURE(env.start());
  io::Pipeline* const pipeline = env.pipeline.get();

  int ran = 0;
  const auto command = [&](io::Pipeline&) { ++ran; };
  // Waiting when run() returns without taking it (stopped at once) ...
  std::future<core::Result<void>> waiting =
      std::async(std::launch::async, [&] { return pipeline->execute(command, seconds(60)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::atomic<bool> stop{true};
  ASSERT_TRUE(pipeline->run(stop, io::Pipeline::StopAt::kSignal).has_value());
  const auto first = outcome(waiting);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, "shutting_down");
  // ... and given after it returned.
  std::future<core::Result<void>> late =
      std::async(std::launch::async, [&] { return pipeline->execute(command, seconds(60)); });
  const auto second = outcome(late);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, "shutting_down");
  EXPECT_EQ(ran, 0);
  ASSERT_TRUE(pipeline->close().has_value());
}

// A pipeline busy elsewhere (here: not running yet) does not take the command: the caller
// gets pipeline_busy after its wait, and the command is withdrawn, never to run later. One
// given while the pipeline runs is taken and run.
TEST(PipelineCommandsTest, ACommandNotTakenInTimeIsWithdrawnAndNeverRuns) {
  PipelineEnv env;
  ASSERT_NO_FATAL_FAILURE(env.start());
  io::Pipeline* const pipeline = env.pipeline.get();

  std::atomic<int> withdrawn_ran{0};
  const auto withdrawn = [&](io::Pipeline&) { ++withdrawn_ran; };
  const auto busy = pipeline->execute(withdrawn, std::chrono::milliseconds(300));
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, "pipeline_busy");

  std::atomic<bool> stop{false};
  std::future<core::Result<void>> running = std::async(
      std::launch::async, [&] { return pipeline->run(stop, io::Pipeline::StopAt::kSignal); });
  int taken_ran = 0;
  const auto taken = pipeline->execute([&](io::Pipeline&) { ++taken_ran; }, seconds(60));
  stop = true;
  ASSERT_TRUE(outcome(running).has_value());
  EXPECT_TRUE(taken.has_value()) << taken.error().message;
  EXPECT_EQ(taken_ran, 1);
  EXPECT_EQ(withdrawn_ran, 0) << "a withdrawn command ran once the pipeline ran commands";
  ASSERT_TRUE(pipeline->close().has_value());
}

}  // namespace
}  // namespace segd::test
