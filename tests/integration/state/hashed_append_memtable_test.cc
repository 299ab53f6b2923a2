#include "io/state/hashed_append_memtable.h"

#include <gtest/gtest.h>
#include <rocksdb/comparator.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "io/state/key_prefix.h"
#include "state_fixtures.h"

// The customers family's memtable (and the timers', without its index) against RocksDB's own skip
// list: the same writes into two databases on disk, one with each, must read alike through every
// kind of read RocksDB offers (the timers' one: every kind of scan).
namespace segd::io {
namespace {

using testing::TempDir;
using Factory = std::shared_ptr<rocksdb::MemTableRepFactory>;

// `memtable`: null for RocksDB's skip list.
rocksdb::Options options(const Factory& memtable) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.allow_concurrent_memtable_write = false;
  // Small memtables: the runs below fill and flush many of them, each with a few thousand keys
  // (so that the memtable's key index grows while it is read).
  o.write_buffer_size = size_t{256} << 10;
  if (memtable != nullptr) {
    o.memtable_factory = memtable;
  }
  return o;
}

std::unique_ptr<rocksdb::DB> open_db(const std::string& path, const Factory& memtable) {
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options(memtable), path, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(db);
}

std::string get(rocksdb::DB& db, const std::string& key, const rocksdb::Snapshot* at = nullptr) {
  rocksdb::ReadOptions read;
  read.snapshot = at;
  std::string value;
  const rocksdb::Status s = db.Get(read, key, &value);
  return s.ok() ? value : s.IsNotFound() ? "<none>" : "<error " + s.ToString() + ">";
}

// Every key and value in order, then in reverse order.
std::vector<std::string> walk(rocksdb::DB& db, const rocksdb::Snapshot* at = nullptr) {
  rocksdb::ReadOptions read;
  read.snapshot = at;
  const std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read));
  std::vector<std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.push_back(it->key().ToString() + "=" + it->value().ToString());
  }
  seen.emplace_back("|");
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    seen.push_back(it->key().ToString() + "=" + it->value().ToString());
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return seen;
}

// Up to 4 keys from a Seek forward and from a SeekForPrev backward.
std::vector<std::string> seek(rocksdb::DB& db, const std::string& target) {
  const std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  std::vector<std::string> seen;
  it->Seek(target);
  for (int i = 0; i < 4 && it->Valid(); ++i, it->Next()) {
    seen.push_back(it->key().ToString());
  }
  seen.emplace_back("|");
  it->SeekForPrev(target);
  for (int i = 0; i < 4 && it->Valid(); ++i, it->Prev()) {
    seen.push_back(it->key().ToString());
  }
  return seen;
}

// Short keys; keys that share their first 8 or 15 bytes; keys that are another one and a zero
// byte; and 15-byte keys beside 16-byte ones that start with them. Sorting compares key prefixes
// (wide_key_prefix(): 15 bytes and a length) first, and all of these meet on their edges.
std::string key_of(int i) {
  switch (i % 5) {
    case 0:
      return "c" + std::to_string(i);
    case 1:
      return "customer/" + std::to_string(i);
    case 2:
      return "c" + std::to_string(i - 2) + std::string(1, '\0');
    case 3:
      return "customer/000000/" + std::to_string(i);
    default: {
      std::string digits = std::to_string(i / 10);
      std::string key = "k" + std::string(14 - digits.size(), '0') + digits;
      return (i / 5) % 2 == 0 ? key : key + "x";
    }
  }
}

class TwoDatabases {
 public:
  explicit TwoDatabases(Factory memtable = hashed_append_memtable_factory())
      : memtable_(std::move(memtable)) {
    reopen();
  }

  void reopen() {
    hashed_.reset();
    skip_list_.reset();
    hashed_ = open_db(dir_.path() + "/hashed", memtable_);
    skip_list_ = open_db(dir_.path() + "/skiplist", nullptr);
  }

  void write(const rocksdb::WriteBatch& batch) {
    rocksdb::WriteBatch copy = batch;
    ASSERT_TRUE(hashed_->Write(rocksdb::WriteOptions(), &copy).ok());
    copy = batch;
    ASSERT_TRUE(skip_list_->Write(rocksdb::WriteOptions(), &copy).ok());
  }

  rocksdb::DB& hashed() { return *hashed_; }
  rocksdb::DB& skip_list() { return *skip_list_; }

 private:
  Factory memtable_;
  TempDir dir_;
  std::unique_ptr<rocksdb::DB> hashed_;
  std::unique_ptr<rocksdb::DB> skip_list_;
};

// key_prefix() keeps bytewise order, and ties only equal keys of at most 7 bytes;
// wide_key_prefix() the same with 15.
TEST(HashedAppendMemtableTest, KeyPrefixesKeepBytewiseOrder) {
  std::vector<std::string> keys = {
      "",
      "a",
      "ab",
      std::string("ab\0", 3),
      "abcdefg",
      "abcdefgh",
      "abcdefgi",
      std::string("ab\0\0\0\0\0z", 8),
      "abcdefghijklmno",
      "abcdefghijklmnop",
      "abcdefghijklmnoq",
      std::string("abcdefgh\0\0\0\0\0\0\0", 15),
      std::string("abcdefgh\0\0\0\0\0\0\0\0", 16),
      "abcdefghz",
      "b",
      "\x7f",
      "\x80",
      "\xff\xff\xff\xff\xff\xff\xff\xff",
      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"};
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      const uint64_t a = key_prefix(keys[i]);
      const uint64_t b = key_prefix(keys[j]);
      EXPECT_LE(a, b) << i << " " << j;
      if (a == b) {
        EXPECT_FALSE(prefix_is_whole_key(a)) << i << " " << j;
      }
      const WideKeyPrefix wide_a = wide_key_prefix(keys[i]);
      const WideKeyPrefix wide_b = wide_key_prefix(keys[j]);
      EXPECT_LE(wide_a, wide_b) << i << " " << j;
      if (wide_a == wide_b) {
        EXPECT_FALSE(prefix_is_whole_key(wide_a)) << i << " " << j;
      }
    }
  }
  EXPECT_EQ(key_prefix("abcdefgh"), key_prefix("abcdefgi"));  // Long keys tie on 7 bytes.
  EXPECT_LT(wide_key_prefix("abcdefgh"), wide_key_prefix("abcdefgi"));
  EXPECT_EQ(wide_key_prefix("abcdefghijklmnop"), wide_key_prefix("abcdefghijklmnoq"));
}

constexpr int kKeys = 3000;

// Up to 60 puts and deletes of random keys, `sorted` by key (as commits write their customers)
// or as they come (as the timers' records); values number the puts `written` so far.
rocksdb::WriteBatch random_batch(std::mt19937_64& random, int64_t& written, bool sorted) {
  std::vector<std::string> keys(1 + random() % 60);
  for (std::string& k : keys) {
    k = key_of(static_cast<int>(random() % kKeys));
  }
  if (sorted) {
    std::sort(keys.begin(), keys.end());
  }
  rocksdb::WriteBatch batch;
  for (const std::string& k : keys) {
    if (random() % 10 == 0) {
      batch.Delete(k);
    } else {
      batch.Put(k, "v" + std::to_string(++written) + std::string(random() % 200, 'x'));
    }
  }
  return batch;
}

// Three rounds of 400 random batches (`sorted_in_8` of every 8 sorted), each round read at a
// snapshot taken at its start as well as at the newest state: `probe(key, hashed_before,
// skip_list_before)` with 5 keys after every batch, full walks every 50 batches. After each
// round both memtables have been flushed many times over; what is left goes to tables after
// the last, and both databases are opened again (their WALs replayed into fresh memtables).
template <typename Probe>
void write_and_read_in_rounds(TwoDatabases& dbs, uint64_t seed, uint64_t sorted_in_8, Probe probe) {
  std::mt19937_64 random(seed);
  int64_t written = 0;
  for (int round = 0; round < 3; ++round) {
    const rocksdb::Snapshot* hashed_before = dbs.hashed().GetSnapshot();
    const rocksdb::Snapshot* skip_list_before = dbs.skip_list().GetSnapshot();
    for (int b = 0; b < 400; ++b) {
      dbs.write(random_batch(random, written, random() % 8 < sorted_in_8));
      for (int i = 0; i < 5; ++i) {
        probe(key_of(static_cast<int>(random() % (kKeys + 10))), hashed_before, skip_list_before);
      }
      if (b % 50 == 0) {
        ASSERT_EQ(walk(dbs.hashed()), walk(dbs.skip_list()));
        ASSERT_EQ(walk(dbs.hashed(), hashed_before), walk(dbs.skip_list(), skip_list_before));
      }
    }
    dbs.hashed().ReleaseSnapshot(hashed_before);
    dbs.skip_list().ReleaseSnapshot(skip_list_before);
    std::vector<rocksdb::LiveFileMetaData> tables;
    dbs.hashed().GetLiveFilesMetaData(&tables);
    EXPECT_FALSE(tables.empty());
    if (round == 2) {
      ASSERT_TRUE(dbs.hashed().Flush(rocksdb::FlushOptions()).ok());
      ASSERT_TRUE(dbs.skip_list().Flush(rocksdb::FlushOptions()).ok());
    }
    dbs.reopen();
    ASSERT_EQ(walk(dbs.hashed()), walk(dbs.skip_list()));
  }
}

TEST(HashedAppendMemtableTest, ReadsAsTheSkipListThroughWritesSnapshotsFlushesAndReopens) {
  TwoDatabases dbs;
  // Mostly in key order, as commits write their customers.
  write_and_read_in_rounds(
      dbs, 7, 6,
      [&](const std::string& key, const auto* hashed_before, const auto* skip_list_before) {
        ASSERT_EQ(get(dbs.hashed(), key), get(dbs.skip_list(), key)) << key;
        ASSERT_EQ(get(dbs.hashed(), key, hashed_before),
                  get(dbs.skip_list(), key, skip_list_before))
            << key;
        ASSERT_EQ(seek(dbs.hashed(), key), seek(dbs.skip_list(), key)) << key;
      });
}

// The timers' memtable: records come in no order, and only scans read them. Sorting entries
// that came in short runs (and merging the runs of sorted batches) must give the skip list's
// order, at a snapshot too.
TEST(AppendMemtableTest, ScansAsTheSkipListThroughWritesSnapshotsFlushesAndReopens) {
  TwoDatabases dbs(append_memtable_factory());
  // Mostly as the timers' records come; now and then a sorted batch (a run to merge).
  write_and_read_in_rounds(dbs, 11, 1, [&](const std::string& key, const auto*, const auto*) {
    ASSERT_EQ(seek(dbs.hashed(), key), seek(dbs.skip_list(), key)) << key;
  });
}

TEST(HashedAppendMemtableTest, APointReadSeesTheNewestVersionAtItsSnapshot) {
  TempDir dir;
  auto db = open_db(dir.db(), hashed_append_memtable_factory());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "c1", "first").ok());
  const rocksdb::Snapshot* first = db->GetSnapshot();
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "c1", "second").ok());
  const rocksdb::Snapshot* second = db->GetSnapshot();
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), "c1").ok());
  const rocksdb::Snapshot* deleted = db->GetSnapshot();
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "c1", "third").ok());
  EXPECT_EQ(get(*db, "c1", first), "first");
  EXPECT_EQ(get(*db, "c1", second), "second");
  EXPECT_EQ(get(*db, "c1", deleted), "<none>");
  EXPECT_EQ(get(*db, "c1"), "third");
  EXPECT_EQ(get(*db, "c0"), "<none>");
  EXPECT_EQ(get(*db, "c10"), "<none>");  // Shares c1's bytes, not its key.
  uint64_t entries = 0;
  ASSERT_TRUE(db->GetIntProperty("rocksdb.num-entries-active-mem-table", &entries));
  EXPECT_EQ(entries, 4u);
  for (const rocksdb::Snapshot* s : {first, second, deleted}) {
    db->ReleaseSnapshot(s);
  }
}

TEST(HashedAppendMemtableTest, ReadersBesideTheWriterSeeEveryKeyOnlyMoveForward) {
  // Values are the writer's round numbers, written for every key in each round (one batch): a
  // reader must never see a key's value go back, and a scan (a snapshot) sees every key of one
  // round.
  TempDir dir;
  auto db = open_db(dir.db(), hashed_append_memtable_factory());
  constexpr int kKeys = 2000;  // Past the index's first 1024 slots within one batch.
  constexpr int kRounds = 100;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  int reads = 0;  // Read on the main thread once the reader has been joined.
  int full_scans = 0;
  std::thread reader([&] {
    std::vector<int64_t> last(kKeys, -1);
    std::mt19937 random(3);
    // It goes on a little after the writer, so that it surely reads something.
    for (; !done.load() || reads < 2000; ++reads) {
      const int k = static_cast<int>(random() % kKeys);
      std::string value;
      if (db->Get(rocksdb::ReadOptions(), key_of(k), &value).ok()) {
        const int64_t round = std::stoll(value);
        failures += round < last[k] ? 1 : 0;
        last[k] = round;
      }
      if (random() % 64 == 0) {
        const std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
        int64_t low = kRounds;
        int64_t high = -1;
        int seen = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next(), ++seen) {
          const int64_t round = std::stoll(it->value().ToString());
          low = std::min(low, round);
          high = std::max(high, round);
        }
        failures += seen != 0 && (seen != kKeys || high != low) ? 1 : 0;
        full_scans += seen == kKeys ? 1 : 0;
      }
    }
  });
  for (int round = 0; round < kRounds; ++round) {
    rocksdb::WriteBatch batch;
    for (int k = 0; k < kKeys; ++k) {
      batch.Put(key_of(k), std::to_string(round) + std::string(64, ' '));
    }
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(full_scans, 0);
  std::string value;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key_of(kKeys - 1), &value).ok());
  EXPECT_EQ(std::stoll(value), kRounds - 1);
}

// Without its index, the memtable cannot serve a point read: one fails a CHECK, naming the rule.
// The database is opened in the dying child: forked beside RocksDB's threads, the child hung
// under the sanitizers.
TEST(AppendMemtableDeathTest, RefusesAPointRead) {
  TempDir dir;
  EXPECT_DEATH(
      {
        auto db = open_db(dir.db(), append_memtable_factory());
        (void)db->Put(rocksdb::WriteOptions(), "t1", "due");
        (void)get(*db, "t1");
      },
      "read by scans only was read by key");
}

// Sorting compares bytewise key prefixes first: a family ordered otherwise is refused when its
// first memtable is made.
TEST(HashedAppendMemtableDeathTest, RefusesAFamilyNotOrderedBytewise) {
  TempDir dir;
  rocksdb::Options o = options(hashed_append_memtable_factory());
  o.comparator = rocksdb::ReverseBytewiseComparator();
  EXPECT_DEATH(
      {
        rocksdb::DB* db = nullptr;
        (void)rocksdb::DB::Open(o, dir.path() + "/reversed", &db);
      },
      "orders_bytewise");
}

}  // namespace
}  // namespace segd::io
