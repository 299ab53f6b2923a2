// RocksStore: the outbox as the drainer sees it (the records a commit wrote, read in sequence
// order, and deleted once delivered).
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <algorithm>
#include <memory>

#include "io/state/rocks_store.h"
#include "io/state/rocks_store_internal.h"
#include "io/state/state_codec.h"
#include "io/state/state_keys.h"

namespace segd::io {

using detail::storage_error;
using detail::write_options;

core::Result<std::vector<OutboxRecord>> RocksStore::pending_outbox(size_t max, uint64_t from_seq) {
  const std::lock_guard outbox_lock(outbox_mutex_);
  uint64_t next_free = 0;
  {
    // Read before the iterator exists: every commit after this point numbers from >= next_free.
    const std::lock_guard lock(commit_mutex_);
    next_free = next_seq_;
  }
  // Start at the floor, not at the beginning: delivered records leave tombstones at the front
  // of the family, and seeking past them avoids rescanning them on every poll.
  const uint64_t known_floor = outbox_floor_.load();
  const bool from_floor = from_seq <= known_floor;
  const std::string floor = outbox_key(from_floor ? known_floor : from_seq);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kOutbox)));
  std::vector<OutboxRecord> out;
  for (it->Seek(floor); it->Valid() && out.size() < max; it->Next()) {
    const std::optional<uint64_t> seq = parse_outbox_key(it->key().ToStringView());
    if (!seq) {
      return core::fail("corrupt_state", "bad outbox key");
    }
    core::Result<core::SegmentChange> change = decode_change(it->value().ToStringView());
    if (!change) {
      return std::unexpected(change.error());
    }
    out.push_back(OutboxRecord{*seq, std::move(*change)});
  }
  if (!it->status().ok()) {
    return std::unexpected(storage_error("scan outbox", it->status()));
  }
  if (!from_floor) {
    return out;  // Scanned from the caller's position: says nothing about the floor.
  }
  if (!out.empty()) {
    outbox_floor_ = out.front().seq;
  } else if (max > 0) {
    outbox_floor_ = next_free;
  }
  return out;
}

uint64_t RocksStore::outbox_records_from(uint64_t confirmed_below) const {
  const uint64_t from = std::max(confirmed_below, outbox_floor_.load());
  const uint64_t next = committed_seq_.load();
  return next > from ? next - from : 0;
}

core::Result<void> RocksStore::delete_outbox_range(uint64_t from, uint64_t to) {
  if (to <= from) {
    return {};
  }
  const rocksdb::Status status =
      db_->DeleteRange(write_options(durability_), cf(kOutbox), outbox_key(from), outbox_key(to));
  if (!status.ok()) {
    return std::unexpected(storage_error("delete outbox", status));
  }
  return {};
}

}  // namespace segd::io
