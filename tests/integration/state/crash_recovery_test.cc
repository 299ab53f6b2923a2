#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "io/state/rocks_store.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using core::PartitionId;
using testing::make_change;
using testing::shared;
using testing::TempDir;
using testing::typical_state;

constexpr int kCustomersPerBatch = 20;
constexpr char kSource[] = "crash/0";
constexpr char kDbEnv[] = "SEGD_STATE_CRASH_DB";
constexpr char kFdEnv[] = "SEGD_STATE_CRASH_FD";

// Batch n (n >= 1) rewrites every customer with version n, moves c0's timer to due n, gives c1 a
// timer on odd n and deletes it on even n, sets stream time and position to n and emits one outbox
// record. Any torn batch shows up as a disagreement between these.
core::BatchDelta batch(int64_t n) {
  core::BatchDelta d;
  for (int i = 0; i < kCustomersPerBatch; ++i) {
    d.customers_put.push_back(shared(typical_state("c" + std::to_string(i), n)));
  }
  d.timers_put = {{PartitionId(0), {n, "c0"}}};  // Replaces the previous batch's.
  if (n % 2 == 0) {
    d.timers_deleted = {{PartitionId(0), "c1"}};  // Put by the previous (odd) batch.
  } else {
    d.timers_put.push_back({PartitionId(0), {n, "c1"}});
  }
  d.stream_times = {{PartitionId(0), n}};
  d.positions = {{kSource, n}};
  d.outbox = {make_change("c0", n)};
  return d;
}

// The writer process: resume after the stored position and commit forever, reporting progress on
// `fd` after `report_after` batches. Never returns into the test framework.
[[noreturn]] void run_child(const std::string& path, int fd, int report_after) {
  auto store = RocksStore::open(StoreConfig{.path = path});
  if (!store) {
    _exit(2);
  }
  const auto pos = (*store)->position(kSource);
  int64_t n = pos && *pos ? **pos : 0;
  for (int done = 0;; ++done) {
    if (!(*store)->commit(batch(++n))) {
      _exit(3);
    }
    if (done == report_after) {
      const char byte = 1;
      if (write(fd, &byte, 1) != 1) {
        _exit(4);
      }
    }
  }
}

// Checks that the stored state is exactly what batches 1..n left behind; returns n.
int64_t verify_whole(RocksStore& store) {
  const auto pos = store.position(kSource);
  EXPECT_TRUE(pos.has_value() && pos->has_value());
  const int64_t n = pos && *pos ? **pos : 0;
  for (int i = 0; i < kCustomersPerBatch; ++i) {
    const std::string id = "c" + std::to_string(i);
    const auto state = store.get_customer(id);
    EXPECT_TRUE(state.has_value() && state->has_value()) << id;
    if (state && *state) {
      EXPECT_EQ(**state, typical_state(id, n)) << id;
    }
  }
  EXPECT_EQ(*store.stream_time(PartitionId(0)), n);
  std::vector<core::Timer> timers{{n, "c0"}};
  if (n % 2 == 1) {
    timers.push_back(core::Timer{n, "c1"});  // Sorted by (due, id).
  }
  EXPECT_EQ(*store.load_timers(PartitionId(0)), timers);
  const auto outbox = *store.pending_outbox(static_cast<size_t>(n) + 10);
  EXPECT_EQ(outbox.size(), static_cast<size_t>(n));
  for (size_t i = 0; i < outbox.size(); ++i) {
    // Record seq k came from batch k: numbering and content committed together.
    EXPECT_EQ(outbox[i].seq, i + 1);
    EXPECT_EQ(outbox[i].change, make_change("c0", static_cast<int64_t>(i + 1)));
  }
  return n;
}

// Forks and execs this binary running only DISABLED_WriterProcess. A fresh process image matters:
// after a plain fork() of a process that has used RocksDB, the child would inherit the state of
// RocksDB's background thread pool without its threads, so flushes would never run.
pid_t start_writer(const std::string& db, int fd) {
  const pid_t child = fork();
  if (child != 0) {
    return child;
  }
  setenv(kDbEnv, db.c_str(), 1);
  setenv(kFdEnv, std::to_string(fd).c_str(), 1);
  const int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd >= 0) {
    dup2(null_fd, STDOUT_FILENO);
  }
  execl("/proc/self/exe", "segd_integration_state",
        "--gtest_filter=RocksStoreCrashTest.DISABLED_WriterProcess",
        "--gtest_also_run_disabled_tests", static_cast<char*>(nullptr));
  _exit(5);
}

// Not a test on its own: the body of the process that EveryBatchIsWholeAfterSigkill kills.
TEST(RocksStoreCrashTest, DISABLED_WriterProcess) {
  const char* db = std::getenv(kDbEnv);
  const char* fd = std::getenv(kFdEnv);
  ASSERT_NE(db, nullptr);
  ASSERT_NE(fd, nullptr);
  run_child(db, std::atoi(fd), 50);
}

TEST(RocksStoreCrashTest, EveryBatchIsWholeAfterSigkill) {
  TempDir dir;
  int64_t previous = 0;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = start_writer(dir.db(), fds[1]);
    ASSERT_GE(child, 0);
    close(fds[1]);
    char byte = 0;
    ASSERT_EQ(read(fds[0], &byte, 1), 1) << "child failed before committing";
    close(fds[0]);
    // Let it run on for a varying while so the kill lands mid-write at different points.
    std::this_thread::sleep_for(std::chrono::milliseconds(7 + 11 * round));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);

    auto store = RocksStore::open(StoreConfig{.path = dir.db()});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    const int64_t n = verify_whole(**store);
    EXPECT_GT(n, previous + 50) << "round " << round;
    previous = n;
    ASSERT_TRUE((*store)->close().has_value());
  }
}

}  // namespace
}  // namespace segd::io
