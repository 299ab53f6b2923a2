#include "io/state/rocks_store.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "io/state/state_codec.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using core::PartitionId;
using testing::make_change;
using testing::shared;
using testing::TempDir;
using testing::typical_state;

std::unique_ptr<RocksStore> open_store(const TempDir& dir) {
  core::Result<std::unique_ptr<RocksStore>> store = RocksStore::open(StoreConfig{.path = dir.db()});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

core::BatchDelta full_delta() {
  core::BatchDelta d;
  d.customers_put = {shared(typical_state("c1", 1)), shared(typical_state("c2", 2))};
  d.timers_put = {{PartitionId(3), {500, "c1"}}, {PartitionId(3), {400, "c2"}}};
  d.stream_times = {{PartitionId(3), 12'345}};
  d.erasure_counts = {{PartitionId(3), 2}};
  d.positions = {{"clicks/3", 101}, {"purchases/3", 7}};
  d.outbox = {make_change("c1", 1), make_change("c2", 2)};
  return d;
}

TEST(RocksStoreTest, CommittedBatchIsWholeAfterReopen) {
  TempDir dir;
  const core::BatchDelta d = full_delta();
  {
    auto store = open_store(dir);
    const std::vector<std::pair<std::string, std::string>> meta = {{"replay_output_len", "4096"}};
    const core::Result<uint64_t> first = store->commit(d, meta);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(*first, 1u);
    ASSERT_TRUE(store->close().has_value());
  }
  auto store = open_store(dir);
  EXPECT_EQ(*store->get_customer("c1"), *d.customers_put[0]);
  EXPECT_EQ(*store->get_customer("c2"), *d.customers_put[1]);
  EXPECT_EQ(*store->get_customer("c3"), std::nullopt);
  EXPECT_EQ(*store->load_timers(PartitionId(3)),
            (std::vector<core::Timer>{{400, "c2"}, {500, "c1"}}));
  EXPECT_EQ(*store->stream_time(PartitionId(3)), 12'345);
  EXPECT_EQ(*store->stream_time(PartitionId(4)), std::nullopt);
  const core::PartitionRestore restored = *store->partition_restore(PartitionId(3));
  EXPECT_EQ(restored.stream_time_ms, 12'345);
  EXPECT_EQ(restored.erasures, 2);
  EXPECT_EQ(restored.timers, *store->load_timers(PartitionId(3)));
  const core::PartitionRestore fresh = *store->partition_restore(PartitionId(4));
  EXPECT_EQ(fresh.stream_time_ms, 0);
  EXPECT_EQ(fresh.erasures, 0);
  EXPECT_TRUE(fresh.timers.empty());
  EXPECT_EQ(*store->position("clicks/3"), 101);
  EXPECT_EQ(*store->position("purchases/3"), 7);
  EXPECT_EQ(*store->position("clicks/4"), std::nullopt);
  EXPECT_EQ(*store->get_meta("replay_output_len"), "4096");
  const auto outbox = *store->pending_outbox(10);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0], (OutboxRecord{1, d.outbox[0]}));
  EXPECT_EQ(outbox[1], (OutboxRecord{2, d.outbox[1]}));
}

// A store opened on no customers answers reads of ids it never wrote without RocksDB
// (FreshCustomers); what it writes, and deletes, reads back as written.
TEST(RocksStoreTest, AFreshStoreReadsBackWhatItWrites) {
  TempDir dir;
  auto store = open_store(dir);
  EXPECT_EQ(*store->get_customer("c1"), std::nullopt);
  const core::BatchDelta d = full_delta();
  ASSERT_TRUE(store->commit(d).has_value());
  EXPECT_EQ(*store->get_customer("c1"), *d.customers_put[0]);
  EXPECT_EQ(*store->get_customer("c2"), *d.customers_put[1]);
  EXPECT_EQ(*store->get_customer("c3"), std::nullopt);
  core::BatchDelta erase;
  erase.customers_deleted = {"c1"};
  ASSERT_TRUE(store->commit(erase).has_value());
  EXPECT_EQ(*store->get_customer("c1"), std::nullopt);
  EXPECT_EQ(*store->get_customer("c2"), *d.customers_put[1]);
}

// Reopened with customers stored, or past the capacity of what it remembers, the store reads
// every customer from RocksDB.
TEST(RocksStoreTest, StoredCustomersReadBackWhateverTheStoreRemembers) {
  TempDir dir;
  const core::BatchDelta d = full_delta();
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store->commit(d).has_value());
  }
  {
    auto store = open_store(dir);
    EXPECT_EQ(*store->get_customer("c1"), *d.customers_put[0]);
    EXPECT_EQ(*store->get_customer("c3"), std::nullopt);
  }
  TempDir small;
  auto store = RocksStore::open(StoreConfig{.path = small.db(), .fresh_customers_capacity = 1});
  ASSERT_TRUE(store.has_value()) << store.error().message;
  ASSERT_TRUE((*store)->commit(d).has_value());
  EXPECT_EQ(*(*store)->get_customer("c1"), *d.customers_put[0]);
  EXPECT_EQ(*(*store)->get_customer("c2"), *d.customers_put[1]);
}

TEST(RocksStoreTest, PartsAreWrittenAsTheirConcatenation) {
  // Two partitions' deltas and a positions-only part, as the pipeline hands them over.
  std::vector<core::BatchDelta> parts(3);
  parts[0].customers_put = {shared(typical_state("c2", 2)), shared(typical_state("c1", 1))};
  parts[0].timers_put = {{PartitionId(0), {700, "c1"}}};
  parts[0].stream_times = {{PartitionId(0), 100}};
  parts[0].outbox = {make_change("c2", 1), make_change("c1", 2)};
  parts[1].customers_put = {shared(typical_state("c3", 3)), shared(typical_state("c4", 4))};
  parts[1].customers_deleted = {"c4"};                    // An erasure wins over the put.
  parts[1].timers_deleted = {{PartitionId(0), "c1"}};     // Deletes go before puts: c1 keeps
  parts[1].timers_put = {{PartitionId(1), {300, "c3"}}};  // the timer part 0 gave it.
  parts[1].stream_times = {{PartitionId(1), 200}};
  parts[1].outbox = {make_change("c3", 3)};
  parts[2].positions = {{"clicks/0", 11}, {"clicks/1", 22}};

  core::BatchDelta whole;
  for (const core::BatchDelta& p : parts) {
    whole.customers_put.insert(whole.customers_put.end(), p.customers_put.begin(),
                               p.customers_put.end());
    whole.customers_deleted.insert(whole.customers_deleted.end(), p.customers_deleted.begin(),
                                   p.customers_deleted.end());
    whole.timers_put.insert(whole.timers_put.end(), p.timers_put.begin(), p.timers_put.end());
    whole.timers_deleted.insert(whole.timers_deleted.end(), p.timers_deleted.begin(),
                                p.timers_deleted.end());
    whole.stream_times.insert(whole.stream_times.end(), p.stream_times.begin(),
                              p.stream_times.end());
    whole.positions.insert(whole.positions.end(), p.positions.begin(), p.positions.end());
    whole.outbox.insert(whole.outbox.end(), p.outbox.begin(), p.outbox.end());
  }
  TempDir split_dir;
  TempDir whole_dir;
  auto split = open_store(split_dir);
  auto one = open_store(whole_dir);
  EXPECT_EQ(*split->commit(parts), 1u);
  EXPECT_EQ(*one->commit(whole), 1u);

  for (const char* id : {"c1", "c2", "c3", "c4"}) {
    EXPECT_EQ(*split->get_customer(id), *one->get_customer(id)) << id;
  }
  EXPECT_EQ(*split->get_customer("c4"), std::nullopt);
  EXPECT_EQ(*split->load_timers(PartitionId(0)), (std::vector<core::Timer>{{700, "c1"}}));
  EXPECT_EQ(*split->load_timers(PartitionId(1)), (std::vector<core::Timer>{{300, "c3"}}));
  EXPECT_EQ(*split->stream_time(PartitionId(1)), 200);
  EXPECT_EQ(*split->position("clicks/1"), 22);
  const auto outbox = *split->pending_outbox(10);
  ASSERT_EQ(outbox.size(), 3u);  // Numbered in part order.
  EXPECT_EQ(outbox, *one->pending_outbox(10));
  EXPECT_EQ(outbox[2], (OutboxRecord{3, parts[1].outbox[0]}));
}

TEST(RocksStoreTest, DeletesAndOverwritesApply) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store->commit(full_delta()).has_value());
  core::BatchDelta d;
  d.customers_deleted = {"c1"};
  d.customers_put = {shared(typical_state("c2", 9))};
  d.timers_deleted = {{PartitionId(3), "c1"}, {PartitionId(3), "c2"}};
  d.timers_put = {{PartitionId(3), {450, "c2"}}};  // Puts apply after deletes: c2 keeps a timer.
  d.positions = {{"clicks/3", 150}};
  ASSERT_TRUE(store->commit(d).has_value());
  EXPECT_EQ(*store->get_customer("c1"), std::nullopt);
  EXPECT_EQ((*store->get_customer("c2"))->version, 9);
  EXPECT_EQ(*store->load_timers(PartitionId(3)), (std::vector<core::Timer>{{450, "c2"}}));
  EXPECT_EQ(*store->position("clicks/3"), 150);
  // A put replaces the customer's previous timer.
  core::BatchDelta moved;
  moved.timers_put = {{PartitionId(3), {50, "c2"}}};
  ASSERT_TRUE(store->commit(moved).has_value());
  EXPECT_EQ(*store->load_timers(PartitionId(3)), (std::vector<core::Timer>{{50, "c2"}}));
}

TEST(RocksStoreTest, TimersSortByDueThenIdAndStayInTheirPartition) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  d.timers_put = {{PartitionId(0), {300, "b", 4}}, {PartitionId(0), {-20, "z"}},
                  {PartitionId(0), {300, "a"}},    {PartitionId(1), {1, "x"}},
                  {PartitionId(-1), {5, "neg"}},   {PartitionId(0), {1'000'000'000'000'000, "c"}}};
  ASSERT_TRUE(store->commit(d).has_value());
  EXPECT_EQ(*store->load_timers(PartitionId(0)),
            (std::vector<core::Timer>{
                {-20, "z"}, {300, "a"}, {300, "b", 4}, {1'000'000'000'000'000, "c"}}));
  EXPECT_EQ(*store->load_timers(PartitionId(1)), (std::vector<core::Timer>{{1, "x"}}));
  EXPECT_EQ(*store->load_timers(PartitionId(-1)), (std::vector<core::Timer>{{5, "neg"}}));
  EXPECT_TRUE(store->load_timers(PartitionId(2))->empty());
}

TEST(RocksStoreTest, OutboxNumberingContinuesAcrossReopen) {
  TempDir dir;
  {
    auto store = open_store(dir);
    core::BatchDelta d;
    d.outbox = {make_change("a", 1), make_change("a", 2), make_change("a", 3)};
    EXPECT_EQ(*store->commit(d), 1u);
    core::BatchDelta empty;
    empty.positions = {{"clicks/0", 5}};
    EXPECT_EQ(*store->commit(empty), 4u);  // No records: the next free number, none used.
    ASSERT_TRUE(store->delete_outbox_range(1, 4).has_value());
  }  // Destructor closes.
  auto store = open_store(dir);
  core::BatchDelta d;
  d.outbox = {make_change("b", 1), make_change("b", 2)};
  // The records are deleted, but numbers are never reused.
  EXPECT_EQ(*store->commit(d), 4u);
  const auto outbox = *store->pending_outbox(10);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].seq, 4u);
  EXPECT_EQ(outbox[1].seq, 5u);
  EXPECT_EQ(outbox[1].change, d.outbox[1]);
}

TEST(RocksStoreTest, DeliveredOutboxRecordsAreGoneAndOthersStay) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  for (int i = 0; i < 6; ++i) {
    d.outbox.push_back(make_change("c", i));
  }
  ASSERT_TRUE(store->commit(d).has_value());
  EXPECT_EQ(store->pending_outbox(4)->size(), 4u);
  ASSERT_TRUE(store->delete_outbox_range(1, 3).has_value());
  ASSERT_TRUE(store->delete_outbox_range(3, 3).has_value());  // Empty: nothing happens.
  auto pending = *store->pending_outbox(10);
  ASSERT_EQ(pending.size(), 4u);
  EXPECT_EQ(pending[0].seq, 3u);
  EXPECT_EQ(pending[3].seq, 6u);
  // Read from a later position, the records below it are skipped, not deleted.
  pending = *store->pending_outbox(10, 5);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].seq, 5u);
  ASSERT_TRUE(store->delete_outbox_range(3, 7).has_value());
  EXPECT_TRUE(store->pending_outbox(10)->empty());
  // Records committed after an empty poll are still found.
  core::BatchDelta more;
  more.outbox = {make_change("d", 1)};
  EXPECT_EQ(*store->commit(more), 7u);
  pending = *store->pending_outbox(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, 7u);
}

TEST(RocksStoreTest, ExportVisitsCustomersInIdOrder) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  for (const char* id : {"m", "b", "zz", "a", "c10", "c2"}) {
    d.customers_put.push_back(shared(typical_state(id, 1)));
  }
  ASSERT_TRUE(store->commit(d).has_value());
  std::vector<std::string> seen;
  const core::Result<void> r =
      store->for_each_customer([&seen](const core::CustomerState& s) -> core::Result<void> {
        seen.push_back(s.customer_id);
        return {};
      });
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c10", "c2", "m", "zz"}));
}

TEST(RocksStoreTest, ExportStopsAtCallbackError) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  d.customers_put = {shared(typical_state("a", 1)), shared(typical_state("b", 1))};
  ASSERT_TRUE(store->commit(d).has_value());
  int calls = 0;
  const core::Result<void> r =
      store->for_each_customer([&calls](const core::CustomerState&) -> core::Result<void> {
        ++calls;
        return core::fail("write_failed", "disk full");
      });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "write_failed");
  EXPECT_EQ(calls, 1);
}

TEST(RocksStoreTest, MultiGetMatchesGet) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store->commit(full_delta()).has_value());
  const std::vector<std::string> ids = {"c2", "nobody", "c1"};
  const auto got = *store->multi_get_customers(ids);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], *store->get_customer("c2"));
  EXPECT_EQ(got[1], std::nullopt);
  EXPECT_EQ(got[2], *store->get_customer("c1"));
}

TEST(RocksStoreTest, ModelsRoundTripAndLatestIsHighestVersion) {
  TempDir dir;
  {
    auto store = open_store(dir);
    EXPECT_EQ(*store->latest_model(), std::nullopt);
    for (int64_t v : {2, 10, 9}) {
      const std::string bytes =
          encode_model(ModelRecord{v, 1000 * v, "weights-" + std::to_string(v)});
      ASSERT_TRUE(store->put_model(v, bytes).has_value());
    }
  }
  auto store = open_store(dir);
  const auto latest = *store->latest_model();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->first, 10);
  EXPECT_EQ(*decode_model(latest->second), (ModelRecord{10, 10'000, "weights-10", 10'000}));
  EXPECT_EQ(*decode_model(**store->model(9)), (ModelRecord{9, 9000, "weights-9", 9000}));
  EXPECT_EQ(*store->model(3), std::nullopt);
}

TEST(RocksStoreTest, MetaOutsideCommitPersists) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store->put_meta("schema", "v1").has_value());
    EXPECT_EQ(*store->get_meta("missing"), std::nullopt);
  }
  auto store = open_store(dir);
  EXPECT_EQ(*store->get_meta("schema"), "v1");
}

TEST(RocksStoreTest, IntegerMetaIsReadOrCorrupt) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store->put_meta("members.a", "-42").has_value());
  ASSERT_TRUE(store->put_meta("members.b", "12x").has_value());
  ASSERT_TRUE(store->put_meta("members.c", "").has_value());
  ASSERT_TRUE(store->put_meta("members.d", "99999999999999999999").has_value());
  EXPECT_EQ(*store->get_meta_int("members.a"), -42);
  EXPECT_EQ(*store->get_meta_int("missing"), std::nullopt);
  // Garbage where a number was written used to throw from std::stoll in the callers.
  for (const char* key : {"members.b", "members.c", "members.d"}) {
    const auto r = store->get_meta_int(key);
    ASSERT_FALSE(r.has_value()) << key;
    EXPECT_EQ(r.error().code, "corrupt_state");
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
  }
}

TEST(RocksStoreTest, PartitionCountIsReadOrCorrupt) {
  TempDir dir;
  auto store = open_store(dir);
  EXPECT_EQ(*store->partition_count(), std::nullopt);
  ASSERT_TRUE(store->put_meta(kPartitionsMeta, "12").has_value());
  EXPECT_EQ(*store->partition_count(), 12);
  // A count that is no count was compared as text by replay ("written with abc partitions").
  for (const char* bad : {"abc", "0", "-3", "100001"}) {
    ASSERT_TRUE(store->put_meta(kPartitionsMeta, bad).has_value());
    const auto r = store->partition_count();
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "corrupt_state") << bad;
    EXPECT_NE(r.error().message.find("partitions"), std::string::npos) << r.error().message;
  }
}

TEST(RocksStoreTest, ANegativePositionIsCorruptNotALogicalOffset) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  d.positions = {{"clicks/0", -1}, {"clicks/1", 0}};
  ASSERT_TRUE(store->commit(d, {}).has_value());
  EXPECT_EQ(*store->position("clicks/1"), 0);
  // -1 and -2 are librdkafka's "end" and "beginning": a seek there would skip or repeat input.
  const auto r = store->position("clicks/0");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
  EXPECT_NE(r.error().message.find("clicks/0"), std::string::npos) << r.error().message;
}

TEST(RocksStoreTest, StatsReportCustomersAndCacheUse) {
  TempDir dir;
  auto store = open_store(dir);
  core::BatchDelta d;
  for (int i = 0; i < 100; ++i) {
    d.customers_put.push_back(shared(typical_state("c" + std::to_string(i), i)));
  }
  ASSERT_TRUE(store->commit(d).has_value());
  const StoreStats s = store->stats();
  EXPECT_GT(s.memtable_bytes, 0u);
  EXPECT_EQ(s.customers_estimate, 100u);
  EXPECT_GE(s.block_cache_hit_ratio, 0.0);
  EXPECT_LE(s.block_cache_hit_ratio, 1.0);
}

TEST(RocksStoreTest, StatsCountBlockCacheReadsAfterFlush) {
  TempDir dir;
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store->commit(full_delta()).has_value());
  }  // Closing flushes the memtables, so reads below go through SST blocks.
  auto store = open_store(dir);
  EXPECT_EQ(store->stats().block_cache_hit_ratio, 0.0);
  ASSERT_TRUE(store->get_customer("c1")->has_value());
  ASSERT_TRUE(store->get_customer("c1")->has_value());
  const StoreStats s = store->stats();
  EXPECT_GT(s.block_cache_hit_ratio, 0.0);
  EXPECT_GT(s.live_data_bytes, 0u);
}

TEST(RocksStoreTest, WalSyncDurabilityFsyncsEveryCommitAndTheDefaultNone) {
  for (const Durability durability : {Durability::kWalSync, Durability::kWalNoSync}) {
    TempDir dir;
    auto store = RocksStore::open(StoreConfig{.path = dir.db(), .durability = durability});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    const uint64_t before = (*store)->stats().wal_syncs;
    for (int i = 0; i < 3; ++i) {
      core::BatchDelta d;
      d.customers_put.push_back(shared(typical_state("c" + std::to_string(i), i)));
      ASSERT_TRUE((*store)->commit(d).has_value());
    }
    const uint64_t syncs = (*store)->stats().wal_syncs - before;
    // A stored model version is as durable as a commit: the writes it decides come after it.
    ASSERT_TRUE((*store)->put_model(1, "snapshot").has_value());
    const uint64_t model_syncs = (*store)->stats().wal_syncs - before - syncs;
    if (durability == Durability::kWalSync) {
      EXPECT_GE(syncs, 3u);
      EXPECT_GE(model_syncs, 1u);
    } else {
      EXPECT_EQ(syncs, 0u);
      EXPECT_EQ(model_syncs, 0u);
    }
  }
}

TEST(RocksStoreTest, SecondOpenOfADirectoryInUseFails) {
  TempDir dir;
  auto store = open_store(dir);
  const core::Result<std::unique_ptr<RocksStore>> second =
      RocksStore::open(StoreConfig{.path = dir.db()});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, "storage_error");
}

TEST(RocksStoreTest, CloseTwiceIsOk) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store->close().has_value());
  EXPECT_TRUE(store->close().has_value());
}

}  // namespace
}  // namespace segd::io
