// RocksStore::open's modes: what each creates, and what a read-only store reads and leaves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "io/state/rocks_store.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::shared;
using testing::TempDir;
using testing::typical_state;

// Commits c1 and leaves the process without closing the store: the commit is only in the WAL.
void commit_and_die(const std::string& path) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = RocksStore::open(StoreConfig{.path = path});
    core::BatchDelta delta;
    delta.customers_put = {shared(typical_state("c1", 1))};
    _exit(store && (*store)->commit(delta) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(StateDirTest, ExistingAndReadOnlyOpensCreateNothing) {
  const TempDir dir;
  for (const OpenMode mode : {OpenMode::kExisting, OpenMode::kReadOnly}) {
    auto store = RocksStore::open(StoreConfig{.path = dir.db(), .mode = mode});
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, "not_found");
    EXPECT_FALSE(std::filesystem::exists(dir.db()));
  }
}

// A process killed after a commit (segd, a replay) leaves it in the WAL: a read-only open must
// read it there, since it may not flush it.
TEST(StateDirTest, ReadOnlyStoreReadsCommitsOnlyInTheWal) {
  const TempDir dir;
  commit_and_die(dir.db());
  auto store = RocksStore::open(StoreConfig{.path = dir.db(), .mode = OpenMode::kReadOnly});
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto customer = (*store)->get_customer("c1");
  ASSERT_TRUE(customer.has_value()) << customer.error().message;
  EXPECT_EQ(*customer, typical_state("c1", 1));
  const auto written = (*store)->put_meta("k", "v");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, "storage_error");
  EXPECT_TRUE((*store)->close().has_value());
}

// While a read-only store is open, no writer opens the database (and the reverse).
TEST(StateDirTest, ReadOnlyStoreAndAWriterExcludeEachOther) {
  const TempDir dir;
  commit_and_die(dir.db());
  auto reader = RocksStore::open(StoreConfig{.path = dir.db(), .mode = OpenMode::kReadOnly});
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  // fcntl locks are per process: the writer must be another one.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    _exit(RocksStore::open(StoreConfig{.path = dir.db()}) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

}  // namespace
}  // namespace segd::io
