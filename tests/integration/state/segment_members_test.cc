// Segment member counts per partition in a real RocksDB (io::SegmentMembers and the one-time
// count of a state dir written before they were kept per partition).
#include "io/pipeline/segment_members.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/common/partitioner.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;
using Meta = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<RocksStore> open_store(const TempDir& dir) {
  auto store = RocksStore::open(StoreConfig{.path = dir.db()});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

core::SegmentChange change(const std::string& segment, core::ChangeKind kind) {
  core::SegmentChange c;
  c.customer_id = "c1";
  c.segment = segment;
  c.change = kind;
  return c;
}

constexpr auto kEnter = core::ChangeKind::kEnter;
constexpr auto kExit = core::ChangeKind::kExit;

TEST(SegmentMembersTest, CountsPerPartitionAndTotalsOverTheLoadedOnes) {
  TempDir dir;
  auto store = open_store(dir);
  const std::vector<std::string> segments = {"a", "b"};
  {
    SegmentMembers members(*store);
    ASSERT_TRUE(members.load(0, segments).has_value());
    ASSERT_TRUE(members.load(1, segments).has_value());
    Meta meta;
    ASSERT_TRUE(members
                    .apply(0,
                           std::vector{change("a", kEnter), change("a", kEnter),
                                       change("b", kEnter), change("b", kExit)},
                           meta)
                    .has_value());
    ASSERT_TRUE(members.apply(1, std::vector{change("a", kEnter)}, meta).has_value());
    EXPECT_EQ(meta, (Meta{{"members.a/0", "2"}, {"members.b/0", "0"}, {"members.a/1", "1"}}));
    EXPECT_EQ(members.totals(), (std::map<std::string, int64_t>{{"a", 3}, {"b", 0}}));
    ASSERT_TRUE(store->commit(core::BatchDelta{}, meta).has_value());
  }
  // Another instance that owns partition 1 only reports partition 1's members.
  SegmentMembers members(*store);
  ASSERT_TRUE(members.load(1, segments).has_value());
  EXPECT_EQ(members.totals(), (std::map<std::string, int64_t>{{"a", 1}, {"b", 0}}));
  members.clear();
  EXPECT_TRUE(members.totals().empty());
}

TEST(SegmentMembersTest, ACountNotLoadedIsReadBeforeItMoves) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store->commit(core::BatchDelta{}, Meta{{"members.gone/0", "5"}}).has_value());
  SegmentMembers members(*store);
  ASSERT_TRUE(members.load(0, std::vector<std::string>{"a"}).has_value());  // The rules now.
  Meta meta;
  ASSERT_TRUE(members.apply(0, std::vector{change("gone", kExit)}, meta).has_value());
  EXPECT_EQ(meta, (Meta{{"members.gone/0", "4"}}));
}

TEST(SegmentMembersTest, AStateDirWithoutPerPartitionCountsIsCountedOnce) {
  TempDir dir;
  auto store = open_store(dir);
  constexpr int32_t kPartitions = 3;
  core::BatchDelta delta;
  std::map<std::string, int64_t> want;  // members.<segment>/<partition> -> count
  for (int i = 0; i < 40; ++i) {
    auto state = testing::typical_state("c" + std::to_string(i), i);
    state.segments =
        i % 3 == 0 ? std::vector<std::string>{"a", "b"} : std::vector<std::string>{"a"};
    const int32_t p = core::partition_for_key(state.customer_id, kPartitions).value();
    for (const std::string& s : state.segments) {
      want[SegmentMembers::key(s, p)] += 1;
    }
    delta.customers_put.push_back(testing::shared(std::move(state)));
  }
  // As segd wrote it before: the partition count, one global count per segment.
  ASSERT_TRUE(
      store->commit(delta, Meta{{"partitions", "3"}, {"members.a", "40"}, {"members.b", "14"}})
          .has_value());
  ASSERT_TRUE(count_members_by_partition(*store).has_value());
  for (const auto& [key, n] : want) {
    EXPECT_EQ(*store->get_meta_int(key), n) << key;
  }
  EXPECT_EQ(*store->get_meta(kMembersByPartition), "1");
  // Once marked, nothing is counted again.
  ASSERT_TRUE(store->commit(core::BatchDelta{}, Meta{{want.begin()->first, "999"}}).has_value());
  ASSERT_TRUE(count_members_by_partition(*store).has_value());
  EXPECT_EQ(*store->get_meta_int(want.begin()->first), 999);
}

TEST(SegmentMembersTest, AFreshStateDirIsMarkedWithoutCounts) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(count_members_by_partition(*store).has_value());
  EXPECT_EQ(*store->get_meta(kMembersByPartition), "1");
}

}  // namespace
}  // namespace segd::io
