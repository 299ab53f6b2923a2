#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>

namespace segd::io {

/// The customers a store has written since it was opened on an empty `customers` family. Any
/// other id is certainly not stored, and its read needs no RocksDB lookup: a replay or backfill
/// into a fresh state dir reads every customer once, at its first event, and finds nothing
/// there (those lookups were 4% of a pinned replay's samples). Keeps 64-bit hashes of the ids
/// (a collision costs only a lookup), at most `capacity` of them; past that it stops answering
/// for good. Thread-safe.
class FreshCustomers {
 public:
  /// Answers nothing until start() (a store that was not empty, or a read-only one).
  FreshCustomers() = default;
  FreshCustomers(const FreshCustomers&) = delete;
  FreshCustomers& operator=(const FreshCustomers&) = delete;

  /// The store is empty: from now on an id never passed to written() is not stored. With a
  /// capacity of 0 nothing changes.
  void start(size_t capacity);

  /// `ids` are about to be written (called before the write: a read in between finds them in
  /// RocksDB, or not yet, either way right).
  void written(std::span<const std::string_view> ids);

  /// True when `id` is certainly not stored: the store was empty, and `id` was never written.
  [[nodiscard]] bool certainly_absent(std::string_view id) const;

 private:
  mutable std::mutex mutex_;
  bool answering_ = false;  ///< Guarded by mutex_.
  size_t capacity_ = 0;
  absl::flat_hash_set<uint64_t> written_;  ///< Guarded by mutex_: hashes of the ids written.
};

}  // namespace segd::io
