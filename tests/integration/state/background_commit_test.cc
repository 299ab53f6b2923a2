// BackgroundCommit: one write at a time beside the caller; wait() reports it and releases its
// deltas on the caller's thread.
#include "io/state/background_commit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <vector>

#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  std::unique_ptr<RocksStore> store;
  std::shared_ptr<const core::CustomerState> state =
      testing::shared(testing::typical_state("c1", 1));

  Fixture() {
    auto opened = RocksStore::open(StoreConfig{.path = dir.db()});
    EXPECT_TRUE(opened.has_value()) << opened.error().message;
    store = std::move(*opened);
  }

  // One delta that shares `state`, as a processor's cache and a batch in flight do.
  std::vector<core::BatchDelta> parts() const {
    std::vector<core::BatchDelta> p(1);
    p[0].customers_put = {state};
    return p;
  }
};

TEST(BackgroundCommitTest, WaitReleasesTheDeltasAndReportsTheWrite) {
  Fixture f;
  BackgroundCommit commit;
  commit.start(*f.store, f.parts(), {{"k", "v"}});
  ASSERT_TRUE(commit.wait().has_value());
  EXPECT_EQ(f.state.use_count(), 1);
  EXPECT_EQ(*f.store->get_meta("k"), "v");
  auto stored = f.store->get_customer("c1");
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ(**stored, *f.state);
  EXPECT_TRUE(commit.wait().has_value()) << "nothing in flight";
}

TEST(BackgroundCommitTest, WaitHoldsTheDeltasUntilTheWriteAndAfterAreDone) {
  Fixture f;
  BackgroundCommit commit;
  std::promise<void> go;
  std::shared_future<void> gate = go.get_future().share();
  commit.start(*f.store, f.parts(), {}, [gate] {
    gate.wait();  // The write is in the store; the commit is not finished until the gate opens.
    return core::Result<void>(core::fail("after_failed", "as planned"));
  });
  EXPECT_EQ(f.state.use_count(), 2) << "the write may still read the state";
  go.set_value();
  const core::Result<void> r = commit.wait();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "after_failed");
  EXPECT_EQ(f.state.use_count(), 1);
}

// A new thread per batch (std::async) reused its predecessor's thread id, and with it RocksDB's
// per-thread random skip-list heights: keys rewritten by every batch ended up in degenerate skip
// lists (a --batch-size 1 replay slowed down with the square of its length). Kernel thread ids,
// unlike std::thread::id, are not reused at once, so they tell threads apart.
TEST(BackgroundCommitTest, EveryBatchIsWrittenByTheSameThread) {
  Fixture f;
  BackgroundCommit commit;
  std::vector<pid_t> writers;
  for (int batch = 0; batch < 3; ++batch) {
    commit.start(*f.store, f.parts(), {}, [&writers] {
      writers.push_back(gettid());
      return core::Result<void>{};
    });
    ASSERT_TRUE(commit.wait().has_value());
  }
  ASSERT_EQ(writers.size(), 3U);
  EXPECT_NE(writers[0], gettid()) << "written beside the caller";
  EXPECT_EQ(writers[1], writers[0]);
  EXPECT_EQ(writers[2], writers[0]);
}

TEST(BackgroundCommitTest, AfterAFailedCommitNothingIsWrittenAndTheFailureStays) {
  Fixture f;
  BackgroundCommit commit;
  commit.start(*f.store, f.parts(), {},
               [] { return core::Result<void>(core::fail("write_failed", "as planned")); });
  ASSERT_FALSE(commit.wait().has_value());
  // A later batch lies beyond the failed one's events: written, it would skip them for good.
  commit.start(*f.store, f.parts(), {{"later", "batch"}});
  const core::Result<void> r = commit.wait();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "write_failed");
  auto later = f.store->get_meta("later");
  ASSERT_TRUE(later.has_value());
  EXPECT_FALSE(later->has_value()) << "the later batch was written";
  EXPECT_EQ(f.state.use_count(), 1) << "its deltas are released";
}

}  // namespace
}  // namespace segd::io
