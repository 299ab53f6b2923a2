// State store benchmarks: codec speed, commit throughput of 5000-customer batches, and point
// lookups on 100k customers. Run: state_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true (the median row is the figure to quote).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/state/rocks_store.h"
#include "io/state/state_codec.h"

namespace segd::io {
namespace {

constexpr int kBatchCustomers = 5000;
constexpr int kLookupCustomers = 100'000;

// A typical active customer: 20 day buckets, 10 sessions, 5 cart lines, 8 categories, 64
// event hashes.
core::CustomerState typical(int64_t n, int64_t version) {
  core::CustomerState s;
  s.customer_id = "customer-" + std::to_string(n);
  s.version = version;
  s.first_event_ms = 1'700'000'000'000 + n;
  s.last_event_ms = s.first_event_ms + 30 * core::kMsPerDay;
  s.orders_total = 12;
  s.monetary_total = 1234.5;
  for (int i = 0; i < 20; ++i) {
    s.days.push_back(core::DayBucket{19'700 + i, i % 3, 10.25 * i});
  }
  for (int a = 0; a < core::kActivityCount; ++a) {
    s.counts[a] = 10 * a + n % 7;
    for (int h = 0; h < core::kHalfLifeCount; ++h) {
      s.decayed[a][h] = 0.37 * a + 0.11 * h;
    }
  }
  for (int i = 0; i < 10; ++i) {
    s.sessions.push_back(core::Session{s.first_event_ms + i * core::kMsPerHour,
                                       s.first_event_ms + i * core::kMsPerHour + 600'000});
  }
  for (int i = 0; i < 8; ++i) {
    s.categories.push_back(core::CategoryScore{"category-" + std::to_string(i), 8.0 - i});
  }
  for (int i = 0; i < 5; ++i) {
    s.cart.push_back(core::CartLine{s.last_event_ms, "product-" + std::to_string(i), 1, 9.99});
  }
  for (uint64_t i = 0; i < 64; ++i) {
    s.recent_event_ids.push_back(0xcbf29ce484222325ULL * (i + 1) + static_cast<uint64_t>(n));
  }
  s.segments = {"active", "big_spender"};
  return s;
}

class BenchDir {
 public:
  BenchDir() {
    std::string pattern = "/tmp/segd-state-bench-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  [[nodiscard]] std::string db() const { return path_ + "/db"; }

 private:
  std::string path_;
};

std::unique_ptr<RocksStore> open_or_die(const std::string& path) {
  core::Result<std::unique_ptr<RocksStore>> store = RocksStore::open(StoreConfig{.path = path});
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    std::abort();
  }
  return std::move(*store);
}

void BM_EncodeDecodeCustomer(benchmark::State& state) {
  const core::CustomerState s = typical(42, 7);
  for (auto _ : state) {
    std::string bytes = encode_customer(s);
    core::Result<core::CustomerState> back = decode_customer(bytes);
    benchmark::DoNotOptimize(back);
  }
  state.counters["bytes"] = static_cast<double>(encode_customer(s).size());
}
BENCHMARK(BM_EncodeDecodeCustomer);

// What a model refit's scan pays per stored customer, besides RocksDB's iteration.
void BM_DecodeCustomerScalars(benchmark::State& state) {
  const std::string bytes = encode_customer(typical(42, 7));
  for (auto _ : state) {
    core::Result<core::CustomerState> back = decode_customer_scalars(bytes);
    benchmark::DoNotOptimize(back);
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_DecodeCustomerScalars);

// What each commit pays per changed customer.
void BM_EncodeCustomer(benchmark::State& state) {
  const core::CustomerState s = typical(42, 7);
  for (auto _ : state) {
    std::string bytes = encode_customer(s);
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_EncodeCustomer);

// What each commit pays per SegmentChange it puts in the outbox.
void BM_EncodeChange(benchmark::State& state) {
  core::SegmentChange c;
  c.event_id = "customer-42/at_risk_vip/17";
  c.customer_id = "customer-42";
  c.segment = "at_risk_vip";
  c.at = core::TimestampMs(1'772'359'200'000);
  c.model_version = 3;
  c.cause = core::CauseKind::kTimer;
  c.reason = "p_alive < 0.3 && clv_365d > 100";
  c.values = {{"p_alive", 0.28}, {"clv_365d", 840.0}};
  for (auto _ : state) {
    std::string bytes = encode_change(c);
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_EncodeChange);

// Commits batches of 5000 customers (each with one outbox record per 10 customers and a
// position), rotating over 100k ids so that later batches overwrite earlier customers.
void BM_CommitBatch5000(benchmark::State& state) {
  BenchDir dir;
  auto store = open_or_die(dir.db());
  int64_t batch_no = 0;
  for (auto _ : state) {
    state.PauseTiming();
    core::BatchDelta d;
    const int64_t base = (batch_no * kBatchCustomers) % kLookupCustomers;
    for (int i = 0; i < kBatchCustomers; ++i) {
      d.customers_put.push_back(std::make_shared<core::CustomerState>(typical(base + i, batch_no)));
    }
    for (int i = 0; i < kBatchCustomers / 10; ++i) {
      d.outbox.push_back(
          core::SegmentChange{.customer_id = "customer-" + std::to_string(i), .segment = "active"});
    }
    d.positions = {{"clicks/0", batch_no}};
    ++batch_no;
    state.ResumeTiming();
    benchmark::DoNotOptimize(store->commit(d));
  }
  state.SetItemsProcessed(state.iterations() * kBatchCustomers);
}
BENCHMARK(BM_CommitBatch5000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A store holding 100k typical customers, reopened so that reads go to flushed SST files through
// the block cache (64 MiB), not to memtables.
std::unique_ptr<RocksStore> store_of_100k_customers(const BenchDir& dir) {
  auto store = open_or_die(dir.db());
  for (int64_t b = 0; b < kLookupCustomers / kBatchCustomers; ++b) {
    core::BatchDelta d;
    for (int i = 0; i < kBatchCustomers; ++i) {
      d.customers_put.push_back(
          std::make_shared<core::CustomerState>(typical(b * kBatchCustomers + i, 1)));
    }
    benchmark::DoNotOptimize(store->commit(d));
  }
  benchmark::DoNotOptimize(store->close());
  return open_or_die(dir.db());
}

// Random point lookups on 100k stored customers.
void BM_GetCustomer(benchmark::State& state) {
  BenchDir dir;
  auto store = store_of_100k_customers(dir);
  std::mt19937_64 rng(7);
  std::vector<std::string> ids;
  for (int i = 0; i < 65536; ++i) {
    ids.push_back("customer-" + std::to_string(rng() % kLookupCustomers));
  }
  size_t next = 0;
  for (auto _ : state) {
    auto r = store->get_customer(ids[next++ % ids.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["cache_hit_ratio"] = store->stats().block_cache_hit_ratio;
}
BENCHMARK(BM_GetCustomer)->UseRealTime();

// A model refit's pass over the population: every stored customer, scalar fields decoded.
void BM_ScanCustomerScalars(benchmark::State& state) {
  BenchDir dir;
  auto store = store_of_100k_customers(dir);
  for (auto _ : state) {
    int64_t seen = 0;
    auto r = store->scan_customers(CustomerFields::kScalars)
                 .for_each([&seen](const core::CustomerState&) -> core::Result<void> {
                   ++seen;
                   return {};
                 });
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(seen);
  }
  state.SetItemsProcessed(state.iterations() * kLookupCustomers);
}
BENCHMARK(BM_ScanCustomerScalars)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace segd::io

BENCHMARK_MAIN();
