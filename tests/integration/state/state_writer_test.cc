// Which program a state dir belongs to (io::claim_state_dir), in a real RocksDB: recorded at the
// first claim, and read from each program's traces in a state dir from before it was recorded.
#include "io/state/state_writer.h"

#include <gtest/gtest.h>

#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;

std::unique_ptr<RocksStore> open_store(const TempDir& dir) {
  auto store = RocksStore::open(StoreConfig{.path = dir.db()});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

TEST(StateWriterTest, TheFirstClaimIsRecordedAndTheOtherProgramRefused) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  ASSERT_TRUE(claim_state_dir(*store, "S", StateWriter::kReplay).has_value());
  EXPECT_EQ(*store->get_meta(kWriterMeta), "segctl replay");
  EXPECT_TRUE(claim_state_dir(*store, "S", StateWriter::kReplay).has_value()) << "again: its own";
  const auto refused = claim_state_dir(*store, "S", StateWriter::kSegd);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "other_writer");
  EXPECT_TRUE(refused.error().message.starts_with("state dir S was written by segctl replay: "))
      << refused.error().message;
}

TEST(StateWriterTest, AStateDirFromBeforeTheRecordIsKnownByItsTraces) {
  TempDir replayed;
  auto by_replay = open_store(replayed);
  ASSERT_TRUE(by_replay);
  core::BatchDelta delta;
  delta.positions.push_back({"replay", 42});
  ASSERT_TRUE(by_replay->commit(delta).has_value());
  const auto segd = claim_state_dir(*by_replay, "R", StateWriter::kSegd);
  ASSERT_FALSE(segd.has_value());
  EXPECT_TRUE(segd.error().message.starts_with("state dir R was written by segctl replay: "));

  TempDir live;
  auto by_segd = open_store(live);
  ASSERT_TRUE(by_segd);
  ASSERT_TRUE(by_segd->put_meta(kMembersByPartition, "1").has_value());
  const auto replay = claim_state_dir(*by_segd, "L", StateWriter::kReplay);
  ASSERT_FALSE(replay.has_value());
  EXPECT_TRUE(replay.error().message.starts_with("state dir L was written by segd: "));
  EXPECT_TRUE(claim_state_dir(*by_segd, "L", StateWriter::kSegd).has_value());
  EXPECT_EQ(*by_segd->get_meta(kWriterMeta), "segd");
}

}  // namespace
}  // namespace segd::io
