#pragma once
// Shared by the files that implement RocksStore: rocks_store.cc (opening, batch commits, reads,
// meta, scans, models) and rocks_store_outbox.cc (what the drainer reads and deletes).

#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "core/common/result.h"
#include "io/state/rocks_store.h"

namespace segd::io::detail {

/// A failed RocksDB call as segd's `storage_error`, naming what was being done.
inline core::Error storage_error(std::string_view what, const rocksdb::Status& status) {
  return core::Error{"storage_error", std::string(what) + ": " + status.ToString()};
}

inline rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

/// The options of every write: fsynced when `durability` says so.
inline rocksdb::WriteOptions write_options(Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kWalSync;
  return options;
}

}  // namespace segd::io::detail
