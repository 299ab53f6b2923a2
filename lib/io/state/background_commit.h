#pragma once

#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/check.h"
#include "core/engine/state_store.h"
#include "io/log/log.h"
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
class BackgroundCommit {
 public:
  using Meta = std::vector<std::pair<std::string, std::string>>;

  BackgroundCommit() = default;
  BackgroundCommit(const BackgroundCommit&) = delete;
  BackgroundCommit& operator=(const BackgroundCommit&) = delete;

  /// Starts writing `parts` and `meta` in one WriteBatch; once it is in the store, `after()`
  /// (returning core::Result<void>) runs on the writing thread. Call only when nothing is in
  /// flight (after wait()).
  ///
  /// After a failed commit nothing more is written: a later batch lies beyond the failed one's
  /// input, and storing its positions would skip that input for good. wait() then keeps
  /// returning the first failure.
  template <typename After>
  void start(RocksStore& store, std::vector<core::BatchDelta> parts, Meta meta, After after) {
    CHECK(!busy());
    if (failure_) {
      return;  // `parts` are released here, on the caller's thread.
    }
    parts_ = std::move(parts);
    in_flight_ = std::async(std::launch::async,
                            [&store, &parts = parts_, meta = std::move(meta),
                             after = std::move(after)]() mutable -> core::Result<void> {
                              name_this_thread("segd-commit");
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
  [[nodiscard]] core::Result<void> wait() {
    if (failure_) {
      return std::unexpected(*failure_);
    }
    if (!busy()) {
      return {};
    }
    core::Result<void> r = in_flight_.get();
    parts_.clear();
    if (!r) {
      failure_ = r.error();
    }
    return r;
  }

 private:
  [[nodiscard]] bool busy() const { return in_flight_.valid(); }

  std::optional<core::Error> failure_;  ///< The first failed commit's error.
  std::vector<core::BatchDelta> parts_;
  // Declared after parts_, so destroyed first: its destructor waits for the write that reads
  // parts_.
  std::future<core::Result<void>> in_flight_;
};

}  // namespace segd::io
