// Many clients erasing at once while the backend's state changes under them, reads answered while
// erasures wait for a busy pipeline, and /metrics checked by promtool.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.h"

namespace segd::test {
namespace {

TEST_F(AdminServerTest, ConcurrentErasureErasesEachCustomerExactlyOnce) {
  constexpr int kCustomers = 100;
  constexpr int kClients = 8;
  for (int i = 0; i < kCustomers; ++i) {
    backend_.put_customer("c" + std::to_string(i), {"vip"});
  }
  io::AdminConfig config;
  config.token = "t";
  start(config);

  std::atomic<bool> stop{false};
  // Mutates the backend meanwhile: unrelated customers come and go, snapshots change, and
  // /metrics and /v1/segments are read.
  std::thread mutator([&] {
    for (int n = 0; !stop.load(); ++n) {
      backend_.put_customer("other" + std::to_string(n % 7), {"churn_risk"});
      io::PipelineSnapshot s;
      s.topics["clicks"].processed = n;
      backend_.set_snapshot(s);
      auto m = fetch("GET", n % 2 == 0 ? "/metrics" : "/v1/segments");
      ASSERT_TRUE(m) << "request " << n;
      ASSERT_EQ(m->status, 200) << m->body;
    }
  });
  std::atomic<int> existed{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      HttpConnection c(port());  // Keep-alive: one connection per client.
      for (int k = 0; k < kCustomers; ++k) {
        const std::string id = "c" + std::to_string((k + t * 13) % kCustomers);
        if (!c.send(http_request("DELETE", "/v1/customers/" + id, {"Authorization: Bearer t"}))) {
          bad.fetch_add(1);
          return;
        }
        auto r = c.read_response();
        if (!r || r->status != 200) {
          bad.fetch_add(1);
          return;
        }
        if (r->body ==
            R"({"customer_id":")" + id + R"(","existed":true,"exited_segments":["vip"]})") {
          existed.fetch_add(1);
        } else if (r->body !=
                   R"({"customer_id":")" + id + R"(","existed":false,"exited_segments":[]})") {
          bad.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& c : clients) {
    c.join();
  }
  stop.store(true);
  mutator.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(existed.load(), kCustomers);
  EXPECT_EQ(backend_.erase_calls(), kCustomers * kClients);
}

// Erasures and reloads wait for the pipeline (up to its command wait); meanwhile /metrics,
// /readyz and the other reads must still be answered (a liveness or readiness probe that
// times out gets a healthy pod restarted).
TEST_F(AdminServerTest, ReadsAreAnsweredWhileCommandsWaitForABusyPipeline) {
  backend_.put_customer("c1", {"vip"});
  backend_.set_ready(true);
  io::AdminConfig config;
  config.token = "t";
  start(config);
  backend_.hold_commands();
  std::vector<std::thread> commands;
  for (const char* target : {"/v1/customers/c1", "/v1/customers/c2"}) {
    commands.emplace_back([this, target] {
      auto r = fetch("DELETE", target, {"Authorization: Bearer t"});
      EXPECT_TRUE(r && r->status == 200) << target;
    });
  }
  commands.emplace_back([this] {
    auto r = fetch("POST", "/v1/rules/reload", {"Authorization: Bearer t"});
    EXPECT_TRUE(r && r->status == 200) << "reload";
  });
  // One command holds the command worker (whichever the server took first; waiting for an
  // erasure in particular never ended when the reload came first).
  while (backend_.commands_at_gate() == 0) {
    std::this_thread::yield();
  }
  for (const char* target : {"/metrics", "/readyz", "/v1/segments", "/v1/customers/c1"}) {
    auto r = fetch("GET", target);
    ASSERT_TRUE(r) << target << " not answered while commands wait";
    EXPECT_EQ(r->status, 200) << target;
  }
  backend_.release_commands();
  for (std::thread& t : commands) {
    t.join();
  }
  EXPECT_EQ(backend_.erase_calls(), 2);
}

// Commands run one at a time. Those still queued when the server closes are not run: their
// clients are being disconnected, and each erasure could wait seconds for Kafka (a review saw
// segd exit 32 s after SIGTERM, running 8 queued erasures nobody would hear about).
TEST_F(AdminServerTest, CommandsStillQueuedWhenTheServerClosesAreNotRun) {
  io::AdminConfig config;
  config.token = "t";
  start(config);
  backend_.hold_commands();
  constexpr int kQueued = 4;
  std::vector<std::thread> clients;
  for (int i = 0; i <= kQueued; ++i) {
    clients.emplace_back([this, i] {
      // Disconnected or answered 503: either way nothing was done for the queued ones.
      auto r = fetch("DELETE", "/v1/customers/c" + std::to_string(i), {"Authorization: Bearer t"});
      EXPECT_TRUE(!r || r->status == 200 || r->status == 503) << r->status;
    });
  }
  while (backend_.commands_at_gate() == 0) {
    std::this_thread::yield();
  }
  // Let the other requests reach the command queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::thread closer([this] { ASSERT_TRUE(server_->close().has_value()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  backend_.release_commands();
  closer.join();
  for (std::thread& c : clients) {
    c.join();
  }
  EXPECT_EQ(backend_.erase_calls(), 1) << "only the erasure running at the close was made";
}

// The backend's time limits count from a request's arrival, not from when the command worker got
// to it.
TEST_F(AdminServerTest, CommandsCarryTheTimeTheirRequestArrived) {
  io::AdminConfig config;
  config.token = "t";
  start(config);
  backend_.hold_commands();
  const auto before = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (const char* id : {"c1", "c2"}) {
    clients.emplace_back([this, id] {
      auto r = fetch("DELETE", std::string("/v1/customers/") + id, {"Authorization: Bearer t"});
      EXPECT_TRUE(r && r->status == 200);
    });
  }
  while (backend_.commands_at_gate() == 0) {
    std::this_thread::yield();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto held_until = std::chrono::steady_clock::now();
  backend_.release_commands();
  for (std::thread& c : clients) {
    c.join();
  }
  const std::vector<io::RequestTime> arrivals = backend_.arrivals();
  ASSERT_EQ(arrivals.size(), 2u);
  for (const io::RequestTime& arrived : arrivals) {
    EXPECT_GE(arrived, before);
    EXPECT_LT(arrived, held_until) << "the second erasure's arrival is before the release";
  }
}

TEST_F(AdminServerTest, MetricsPagePassesPromtool) {
  if (!std::filesystem::exists("/usr/bin/promtool")) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  io::PipelineSnapshot s;
  s.topics["clicks"] = {
      .consumed = 10, .processed = 7, .duplicates = 1, .dead_lettered = {{"bad_json", 2}}};
  s.changes = {{"vip/enter", 3}, {"vip/exit", 1}};
  s.partition_lag = {{0, 5}, {1, 0}};
  s.stream_time_ms = {{0, 1772359200000}};
  s.outbox_pending = 2;
  backend_.set_snapshot(s);
  backend_.put_customer("c1", {"vip"});
  metrics_.observe_batch(0.012, 500);
  metrics_.observe_event_lags(std::vector<double>{2.5});
  start();
  auto r = fetch("GET", "/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto dir = std::filesystem::temp_directory_path();
  const auto page = dir / ("segd-admin-metrics-" + std::to_string(::getpid()) + ".txt");
  const auto out = dir / ("segd-admin-promtool-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(page) << r->body;
  const std::string cmd =
      "/usr/bin/promtool check metrics < '" + page.string() + "' > '" + out.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(page);
  std::filesystem::remove(out);
  EXPECT_EQ(rc, 0) << report << "\n--- page:\n" << r->body;
  EXPECT_EQ(report, "") << report;
}

}  // namespace
}  // namespace segd::test
