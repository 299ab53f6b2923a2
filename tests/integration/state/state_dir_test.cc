// RocksStore::open's modes: what each creates, what a read-only store reads and leaves, and how a
// creation cut short (a writer killed on its first start) is finished.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

constexpr const char* kMarker = "SEGD_STATE_DIR";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> families(const std::string& path) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  return names;
}

// What a writer killed during its first start leaves behind: the marker, then RocksDB's LOCK and
// LOG (killed before CURRENT was written); the marker and a database with some of segd's column
// families (killed between creating two of them); or, killed while writing the marker, only the
// marker's temp file.
void marked_lock_and_log(const std::string& dir) {
  std::filesystem::create_directory(dir);
  write_file(dir + "/" + kMarker, "segd state dir\n");
  write_file(dir + "/LOCK", "");
  write_file(dir + "/LOG", "2026/01/01-00:00:00.000000 1 RocksDB version: 7.8.3\n");
}

void marked_with_some_families(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, &raw).ok());
  const std::unique_ptr<rocksdb::DB> db(raw);
  for (const char* name : {"customers", "timers"}) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), name, &handle).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
  write_file(dir + "/" + kMarker, "segd state dir\n");
}

void marker_temp_only(const std::string& dir) {
  std::filesystem::create_directories(dir + "/lost+found");
  write_file(dir + "/" + kMarker + ".tmp", "segd st");
}

using Stage = std::function<void(const std::string&)>;
const std::vector<std::pair<std::string, Stage>> kMarkedCutShort = {
    {"LOCK and LOG", marked_lock_and_log}, {"some families", marked_with_some_families}};

std::vector<std::string> file_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

// A directory holding segd's marker is segd's: a writer (segd, a replay) finishes its creation
// wherever it stopped, instead of refusing it as "not a segd state dir".
TEST(StateDirTest, WriterFinishesACreationCutShort) {
  auto stages = kMarkedCutShort;
  stages.emplace_back("marker temp file", marker_temp_only);
  for (const auto& [stage, cut_short] : stages) {
    const TempDir dir;
    cut_short(dir.db());
    auto store = RocksStore::open(StoreConfig{.path = dir.db()});
    ASSERT_TRUE(store.has_value()) << stage << ": " << store.error().message;
    core::BatchDelta delta;
    delta.customers_put = {shared(typical_state("c1", 1))};
    EXPECT_TRUE((*store)->commit(delta).has_value()) << stage;
    EXPECT_TRUE((*store)->close().has_value()) << stage;
    EXPECT_EQ(families(dir.db()).size(), 6U) << stage;
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.db() + "/" + kMarker)) << stage;
    auto reader = RocksStore::open(StoreConfig{.path = dir.db(), .mode = OpenMode::kReadOnly});
    ASSERT_TRUE(reader.has_value()) << stage << ": " << reader.error().message;
    auto customer = (*reader)->get_customer("c1");
    ASSERT_TRUE(customer.has_value()) << stage << ": " << customer.error().message;
    EXPECT_EQ(*customer, typical_state("c1", 1)) << stage;
  }
}

// fit, inspect and export create nothing: on a creation cut short they say so, and leave it.
TEST(StateDirTest, ReadersReportACreationCutShort) {
  for (const auto& [stage, cut_short] : kMarkedCutShort) {
    const TempDir dir;
    cut_short(dir.db());
    const std::vector<std::string> before = file_names(dir.db());
    for (const OpenMode mode : {OpenMode::kExisting, OpenMode::kReadOnly}) {
      auto store = RocksStore::open(StoreConfig{.path = dir.db(), .mode = mode});
      ASSERT_FALSE(store.has_value()) << stage;
      EXPECT_EQ(store.error().code, "state_dir_incomplete") << stage;
      EXPECT_EQ(store.error().message, "state dir " + dir.db() +
                                           " was not completely created; start segd or segctl "
                                           "replay on it to finish")
          << stage;
    }
    EXPECT_EQ(file_names(dir.db()), before) << stage;
  }
}

// A MANIFEST that lost segd's families, beside the table files of earlier commits, is damage, not
// a creation cut short. A writer took it for one: it created the families afresh and deleted the
// tables as obsolete, and the state dir silently started over, empty (a replay on a state dir
// whose MANIFEST was cut anywhere from 60 to 300 bytes reported success and exported nothing).
// Every mode refuses it now, and leaves it as it was.
TEST(StateDirTest, TableFilesBesideMissingFamiliesAreDamageNotACreationToFinish) {
  const TempDir committed;
  {
    auto store = RocksStore::open(StoreConfig{.path = committed.db()});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    core::BatchDelta delta;
    delta.customers_put = {shared(typical_state("c1", 1))};
    ASSERT_TRUE((*store)->commit(delta).has_value());
    ASSERT_TRUE((*store)->close().has_value());  // It flushes: the commit is in a table file.
  }
  const TempDir dir;
  marked_with_some_families(dir.db());
  std::vector<std::string> tables;
  for (const auto& entry : std::filesystem::directory_iterator(committed.db())) {
    if (entry.path().extension() == ".sst") {
      tables.push_back(entry.path().filename().string());
      std::filesystem::copy_file(entry.path(), dir.db() + "/" + tables.back());
    }
  }
  ASSERT_FALSE(tables.empty());
  std::ranges::sort(tables);
  const std::vector<std::string> before = file_names(dir.db());
  for (const OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting, OpenMode::kReadOnly}) {
    auto store = RocksStore::open(StoreConfig{.path = dir.db(), .mode = mode});
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, "state_dir_damaged");
    EXPECT_EQ(store.error().message,
              "state dir " + dir.db() + " holds table files (" + tables.front() +
                  ") but its database lacks segd's column families offsets, outbox, models: its "
                  "database is damaged, and segd and segctl do not create a new one over it; "
                  "restore the directory from a backup, or move it away to start afresh");
  }
  EXPECT_EQ(file_names(dir.db()), before);
  EXPECT_EQ(families(dir.db()), (std::vector<std::string>{"default", "customers", "timers"}));
}

// State dirs created before the marker existed hold a complete database and no marker: every mode
// opens them, and a writer adds the marker.
TEST(StateDirTest, AStateDirWithoutTheMarkerIsOpenedAndMarkedByAWriter) {
  const TempDir dir;
  commit_and_die(dir.db());
  std::filesystem::remove(dir.db() + "/" + kMarker);
  for (const OpenMode mode : {OpenMode::kReadOnly, OpenMode::kExisting}) {
    auto store = RocksStore::open(StoreConfig{.path = dir.db(), .mode = mode});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    auto customer = (*store)->get_customer("c1");
    ASSERT_TRUE(customer.has_value()) << customer.error().message;
    EXPECT_EQ(*customer, typical_state("c1", 1));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.db() + "/" + kMarker));
  auto writer = RocksStore::open(StoreConfig{.path = dir.db()});
  ASSERT_TRUE(writer.has_value()) << writer.error().message;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.db() + "/" + kMarker));
}

// Without the marker, a database lacking some of segd's families may be another program's: a
// writer refuses it and writes nothing there.
TEST(StateDirTest, WriterRefusesADatabaseWithoutTheMarkerOrSegdsFamilies) {
  const TempDir dir;
  marked_with_some_families(dir.db());
  std::filesystem::remove(dir.db() + "/" + kMarker);
  auto store = RocksStore::open(StoreConfig{.path = dir.db()});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, "not_a_state_dir");
  EXPECT_EQ(families(dir.db()), (std::vector<std::string>{"default", "customers", "timers"}));
  EXPECT_FALSE(std::filesystem::exists(dir.db() + "/" + kMarker));
}

// Two writers creating one state dir at once shared the marker's temporary file: one renamed it
// away under the other, which failed with "cannot rename ... No such file or directory" (12 of
// 15 tries of two replays) instead of state_dir_busy. Each process has its own now.
TEST(StateDirTest, TwoWritersCreatingOneStateDirAtOnceGetTheStoreOrBusy) {
  constexpr int kTries = 10;
  for (int attempt = 0; attempt < kTries; ++attempt) {
    const TempDir dir;
    std::array<pid_t, 2> children{};
    for (pid_t& child : children) {
      child = ::fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        auto store = RocksStore::open(StoreConfig{.path = dir.db()});
        if (!store && store.error().code != "state_dir_busy") {
          std::fprintf(stderr, "%s: %s\n", store.error().code.c_str(),
                       store.error().message.c_str());
        }
        _exit(store ? 0 : store.error().code == "state_dir_busy" ? 1 : 2);
      }
    }
    int opened = 0;
    for (const pid_t child : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(child, &status, 0), child);
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_NE(WEXITSTATUS(status), 2) << "try " << attempt << ": neither opened nor busy";
      opened += WEXITSTATUS(status) == 0 ? 1 : 0;
    }
    EXPECT_GE(opened, 1) << "try " << attempt;
  }
}

}  // namespace
}  // namespace segd::io
