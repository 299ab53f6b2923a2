#include "io/state/rocks_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <string_view>

#include "io/log/log.h"
#include "io/state/hashed_append_memtable.h"

namespace segd::io {
namespace {

constexpr std::array<const char*, 6> kFamilyNames = {"default", "customers", "timers",
                                                     "offsets", "outbox",    "models"};

// RocksDB's info log, its warnings and errors into segd's log (component `rocksdb`), the rest
// dropped: no LOG file in the state dir. A read-only open would otherwise start a new LOG file,
// renaming the old one, and on a full disk RocksDB's own LOG writer failed an assertion and
// aborted the process before the write error could be reported.
class RoutedLogger final : public rocksdb::Logger {
 public:
  RoutedLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  // Messages without a level (headers, option dumps) are informational.
  void Logv(const char* /*format*/, va_list /*ap*/) override {}

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) {
      return;
    }
    std::array<char, 1024> text{};
    std::vsnprintf(text.data(), text.size(), format, ap);
    LogLevel ours = level == rocksdb::InfoLogLevel::WARN_LEVEL ? LogLevel::kWarn : LogLevel::kError;
    // DB::Open() returns the status it logs, and its caller reports that in segd's words (a LOCK
    // held by another process is `state_dir_busy`): at warn level the raw line came first.
    if (std::string_view(text.data()).find("DB::Open() failed: ") != std::string_view::npos) {
      ours = LogLevel::kDebug;
    }
    log(ours, "rocksdb", text.data());
  }
};

rocksdb::CompressionType pick_compression() {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  const bool has_lz4 =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  return has_lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
}

// Block-based tables sharing one LRU cache. Index and filter blocks live in the cache (bounded
// memory) with L0's pinned, since every point lookup touches them.
rocksdb::BlockBasedTableOptions table_options(const std::shared_ptr<rocksdb::Cache>& cache,
                                              int bloom_bits,
                                              size_t block_bytes = 4096) {
  rocksdb::BlockBasedTableOptions t;
  t.block_size = block_bytes;
  t.block_cache = cache;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  if (bloom_bits > 0) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(bloom_bits));
    // A hash index inside each data block saves the binary search of a point lookup.
    t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  }
  return t;
}

}  // namespace

std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors(const StoreConfig& config) {
  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(config.block_cache_bytes);
  const rocksdb::CompressionType compression = pick_compression();

  // customers: the hot point-lookup + overwrite family. Bloom filters (10 bits/key, ~1% false
  // positives) skip SSTs without the key; large memtables absorb rewrites of hot customers
  // before they reach L0; dynamic level sizes keep space amplification near 1.1.
  rocksdb::ColumnFamilyOptions customers;
  customers.OptimizeLevelStyleCompaction(config.write_buffer_bytes * 2);
  customers.write_buffer_size = config.write_buffer_bytes;
  customers.max_write_buffer_number = 3;
  customers.level_compaction_dynamic_level_bytes = true;
  // Customers are written and read by whole keys: a memtable of appends and a hash index
  // instead of a skip list, which searched its levels for every key written (see
  // hashed_append_memtable.h).
  customers.memtable_factory = hashed_append_memtable_factory();
  customers.compression = compression;
  // 16 KiB data blocks instead of 4: a full scan (each model refit's, an export) reads a quarter
  // as many blocks, one pread each, and takes about half the CPU; a point lookup still reads one
  // block, found in it through the hash index.
  customers.table_factory.reset(rocksdb::NewBlockBasedTableFactory(
      table_options(cache, /*bloom_bits=*/10, /*block_bytes=*/16384)));

  // timers, outbox, models: range-scanned and small; no bloom filter needed.
  rocksdb::ColumnFamilyOptions scanned;
  scanned.write_buffer_size = size_t{16} << 20;
  scanned.level_compaction_dynamic_level_bytes = true;
  scanned.compression = compression;
  scanned.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(cache, 0)));

  // timers: written on most commits, read only by load_timers() when a partition starts (the
  // running index lives in memory). segd's append memtable makes each write an append; the sort
  // happens once, when a flush (on a background thread) or that scan reads it.
  rocksdb::ColumnFamilyOptions timers = scanned;
  timers.memtable_factory = append_memtable_factory();

  // offsets: a handful of keys read with Get.
  rocksdb::ColumnFamilyOptions offsets = scanned;
  offsets.write_buffer_size = size_t{4} << 20;
  offsets.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(cache, 10)));

  return {{kFamilyNames[0], scanned}, {kFamilyNames[1], customers}, {kFamilyNames[2], timers},
          {kFamilyNames[3], offsets}, {kFamilyNames[4], scanned},   {kFamilyNames[5], scanned}};
}

std::span<const char* const> family_names() { return kFamilyNames; }

rocksdb::DBOptions db_options(const std::shared_ptr<rocksdb::Statistics>& statistics,
                              OpenMode mode) {
  rocksdb::DBOptions o;
  // check_state_dir() has made sure that creating means a fresh database or the rest of one whose
  // creation was cut short (a marked directory), never new families in another program's.
  o.create_if_missing = mode == OpenMode::kCreate;
  o.create_missing_column_families = mode == OpenMode::kCreate;
  o.info_log = std::make_shared<RoutedLogger>();
  o.IncreaseParallelism(2);  // Flush + compaction threads for the 2-core target.
  // The few writers (commits, outbox deletes) are serialized by RocksDB's write queue anyway;
  // segd's own memtables (customers, timers) take one inserting thread at a time.
  o.allow_concurrent_memtable_write = false;
  o.max_background_jobs = 2;
  o.bytes_per_sync = size_t{1} << 20;        // Smooth background writeback instead of bursts.
  o.max_total_wal_size = size_t{256} << 20;  // Forces flushes of quiet families (offsets).
  o.statistics = statistics;
  return o;
}

}  // namespace segd::io
