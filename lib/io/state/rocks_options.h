#pragma once
// How the state store tunes RocksDB: its column families and DB-wide options (STORAGE.md,
// "Tuning"). Used by RocksStore::open().

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <memory>
#include <span>
#include <vector>

#include "io/state/rocks_store.h"

namespace rocksdb {
class Statistics;
}  // namespace rocksdb

namespace segd::io {

/// The column families in RocksStore's family order (default, customers, timers, offsets,
/// outbox, models), each with its memtable, table and compression settings.
[[nodiscard]] std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors(
    const StoreConfig& config);

/// The names of those column families, in that order.
[[nodiscard]] std::span<const char* const> family_names();

/// DB-wide options: creation (for OpenMode::kCreate only), background jobs, writeback and WAL
/// size, no info log file for kReadOnly; `statistics` collects the tickers StoreStats reads.
[[nodiscard]] rocksdb::DBOptions db_options(const std::shared_ptr<rocksdb::Statistics>& statistics,
                                            OpenMode mode);

}  // namespace segd::io
