// Training the next model version from a scan of stored customers (io::train_next), with a real
// RocksDB.
#include "io/replay/model_store.h"

#include <gtest/gtest.h>

#include "core/common/partitioner.h"
#include "core/scoring/synthetic_customers.h"
#include "io/state/model_codec.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;

constexpr core::TimestampMs kAsOf{1'790'000'000'000};

bool on_partition_0(std::string_view id) { return core::partition_for_key(id, 2).value() == 0; }

// A store holding `customers` (those `keep` takes).
std::unique_ptr<RocksStore> store_with(const TempDir& dir,
                                       const std::vector<core::CustomerState>& customers,
                                       bool (*keep)(std::string_view)) {
  auto store = RocksStore::open(StoreConfig{.path = dir.db()});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  core::BatchDelta delta;
  for (const core::CustomerState& c : customers) {
    if (keep == nullptr || keep(c.customer_id)) {
      delta.customers_put.push_back(testing::shared(core::CustomerState(c)));
    }
  }
  EXPECT_TRUE((*store)->commit(delta).has_value());
  return std::move(*store);
}

// What the daemon's refit does when its state dir still holds partitions a rebalance moved away.
TEST(TrainNextTest, AFilterTrainsOnTheCustomersItTakesAsIfTheOthersWereNotStored) {
  const auto customers = core::scoring::synthetic_customers(3000, 7, kAsOf);
  const TempDir all_dir;
  const TempDir own_dir;
  auto all = store_with(all_dir, customers, nullptr);
  auto own = store_with(own_dir, customers, &on_partition_0);
  const core::scoring::TrainOptions options;

  auto filtered = train_next(*all, all->scan_customers(CustomerFields::kScalars), kAsOf, options,
                             &on_partition_0);
  auto alone = train_next(*own, own->scan_customers(CustomerFields::kScalars), kAsOf, options);
  auto everyone = train_next(*all, all->scan_customers(CustomerFields::kScalars), kAsOf, options);
  ASSERT_TRUE(filtered.has_value()) << filtered.error().message;
  ASSERT_TRUE(alone.has_value()) << alone.error().message;
  ASSERT_TRUE(everyone.has_value()) << everyone.error().message;
  EXPECT_EQ(encode_model_snapshot(*filtered), encode_model_snapshot(*alone));
  EXPECT_NE(encode_model_snapshot(*everyone), encode_model_snapshot(*alone));
  EXPECT_LT(filtered->diagnostics.bgnbd_n, everyone->diagnostics.bgnbd_n);
}

}  // namespace
}  // namespace segd::io
