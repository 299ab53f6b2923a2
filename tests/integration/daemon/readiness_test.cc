// segd's probes over its life: ready while it keeps up with live input, and /healthz answered
// (and /readyz not ready) until it exits, through the shutdown's outbox drain.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "integration/admin/http_client.h"
#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string page_view(int n) {
  return R"({"event_id":"v-)" + std::to_string(n) +
         R"(","type":"page_view","customer_id":"c1","ts":"2026-01-05T00:00:00Z","session_id":"s1"})";
}

// "Caught up" meant "every partition read to its end since its last message", sampled once a
// second: with a message every few hundred milliseconds, a healthy instance with no lag was
// reported not ready most of the time.
TEST(SegdDaemonTest, StaysReadyWhileItKeepsUpWithLiveInput) {
  const TempDir dir("ready-live");
  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = dir.file("state"), .input_topics = {"events"}},
      dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto segd = start_segd(*config, ExitMode::kOnSignal, dir.file("segd.log"));
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(wait_for_metric(*segd, "segd_ready", 1, milliseconds(30000))) << segd->log();
  int not_ready = 0;
  constexpr int kRounds = 20;
  for (int n = 0; n < kRounds; ++n) {
    ASSERT_TRUE(produce_messages(broker->bootstrap(), "events",
                                 {{0, "c1", page_view(2 * n)}, {0, "c1", page_view(2 * n + 1)}}));
    std::this_thread::sleep_for(milliseconds(100));
    not_ready += metric_value(*segd, "segd_ready").value_or(0) == 1 ? 0 : 1;
  }
  EXPECT_EQ(not_ready, 0) << "of " << kRounds << " samples while input kept arriving";
  ASSERT_TRUE(wait_for_metric(*segd, R"(segd_events_consumed_total{topic="events"})", 2 * kRounds,
                              milliseconds(30000)));
  segd->process.kill(SIGTERM);
  auto code = segd->wait(milliseconds(30000));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << segd->log();
}

// The output topic's broker is down: at SIGTERM the outbox drain waits up to its timeout.
// Meanwhile the process is alive and must say so (/healthz 200), and not ready (/readyz 503).
TEST(SegdDaemonTest, ProbesAreAnsweredUntilTheShutdownDrainEnds) {
  const TempDir dir("ready-drain");
  auto broker = start_broker_with_topic_down("segment-changes");
  ASSERT_TRUE(broker.has_value());
  const std::string purchase =
      R"({"event_id":"p-1","type":"purchase","customer_id":"c1","ts":"2026-01-05T00:00:00Z",)"
      R"("order_id":"o1","amount":25.0})";
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "events", {{0, "c1", purchase}}));
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(), .state_dir = dir.file("state"), .input_topics = {"events"}},
      dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto segd = start_segd(*config, ExitMode::kOnSignal, dir.file("segd.log"),
                         {"--outbox.shutdown_drain_timeout_ms=4000"});
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(wait_for_metric(*segd, "segd_outbox_pending", 1, milliseconds(30000))) << segd->log();
  const uint16_t port = admin_port(*segd);
  segd->process.kill(SIGTERM);
  ASSERT_TRUE(wait_for_log(*segd, "draining the outbox", milliseconds(10000)).has_value());
  std::this_thread::sleep_for(milliseconds(500));
  auto health = http_fetch(port, "GET", "/healthz");
  ASSERT_TRUE(health.has_value()) << "/healthz not answered during the drain";
  EXPECT_EQ(health->status, 200);
  auto ready = http_fetch(port, "GET", "/readyz");
  ASSERT_TRUE(ready.has_value()) << "/readyz not answered during the drain";
  EXPECT_EQ(ready->status, 503);
  auto code = segd->wait(milliseconds(30000));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0) << "the outbox could not be drained";
  EXPECT_NE(segd->log().find("outbox_not_drained"), std::string::npos) << segd->log();
}

}  // namespace
}  // namespace segd::test
