#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/common/check.h"
#include "core/engine/state_store.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// Writes batches to a RocksStore on a second thread, one at a time and in order, while the
/// caller processes the next batch. A batch is the partitions' deltas, written as one (see
/// RocksStore::commit). The deltas stay owned here and are released by wait() on the caller's
/// thread: a cached state they share is then copied before it changes (the processor's
/// copy-on-write) while the write may still read it, and their memory goes back to the caller's
/// allocator cache, where its next batch finds it (freed on the writing thread, it cost the
/// caller more fresh allocations and page faults than the frees it saved). Anything that must see
/// every batch in the store (a scan, a restart of a partition, the end of input) calls wait()
/// first.
///
/// Every batch is written by the same thread ("segd-commit", started by the first start()), never
/// by a new thread per batch: RocksDB draws the heights of memtable skip-list nodes from a
/// per-thread random generator seeded by the thread's id, and a new thread usually reuses its
/// predecessor's id, so each batch's writes drew the same heights as the last one's. The keys
/// rewritten by every batch (input positions, stream times, meta) then piled up at the same low
/// heights, and their skip lists became linked lists searched from end to end: a replay with
/// `--batch-size 1` slowed down with the square of its length.
///
/// Not thread-safe: one caller thread calls start() and wait().
class BackgroundCommit {
 public:
  using Meta = std::vector<std::pair<std::string, std::string>>;

  BackgroundCommit() = default;
  BackgroundCommit(const BackgroundCommit&) = delete;
  BackgroundCommit& operator=(const BackgroundCommit&) = delete;
  /// Waits for the write in flight, if any, and stops the writing thread.
  ~BackgroundCommit();

  /// Starts writing `parts` and `meta` in one WriteBatch; once it is in the store, `after()`
  /// (returning core::Result<void>) runs on the writing thread. Call only when nothing is in
  /// flight (after wait()).
  ///
  /// After a failed commit nothing more is written: a later batch lies beyond the failed one's
  /// input, and storing its positions would skip that input for good. wait() then keeps
  /// returning the first failure.
  template <typename After>
  void start(RocksStore& store, std::vector<core::BatchDelta> parts, Meta meta, After after) {
    CHECK(!busy_);
    if (failure_) {
      return;  // `parts` are released here, on the caller's thread.
    }
    parts_ = std::move(parts);
    hand_over([&store, &parts = parts_, meta = std::move(meta),
               after = std::move(after)]() mutable -> core::Result<void> {
      auto committed = store.commit(parts, meta);
      if (!committed) {
        return std::unexpected(committed.error());
      }
      return after();
    });
  }

  void start(RocksStore& store, std::vector<core::BatchDelta> parts, Meta meta) {
    start(store, std::move(parts), std::move(meta), [] { return core::Result<void>{}; });
  }

  /// Waits for the write in flight, if any, and returns how it went; then releases its deltas.
  [[nodiscard]] core::Result<void> wait();

 private:
  using Task = std::move_only_function<core::Result<void>()>;

  /// Gives `task` to the writing thread, starting the thread on first use.
  void hand_over(Task task);
  void run();  ///< The writing thread: runs each task handed over, until stopping_.

  std::optional<core::Error> failure_;  ///< The first failed commit's error.
  std::vector<core::BatchDelta> parts_;
  bool busy_ = false;  ///< A task was handed over and wait() has not collected it.

  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Task> task_;                  ///< Handed over, not yet taken (guarded).
  std::optional<core::Result<void>> result_;  ///< The last task's outcome (guarded).
  bool stopping_ = false;                     ///< guarded
  std::thread thread_;
};

}  // namespace segd::io
