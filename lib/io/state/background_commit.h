#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/check.h"
#include "core/engine/state_store.h"
#include "io/log/log.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// Writes batches to a RocksStore on a second thread, one at a time and in order, while the
/// caller processes the next batch. The delta stays owned here and is released by wait() on the
/// caller's thread, so a cached state it shares is copied before it changes (the processor's
/// copy-on-write) while the write may still read it. Anything that must see every batch in the
/// store (a scan, a restart of a partition, the end of input) calls wait() first.
class BackgroundCommit {
 public:
  using Meta = std::vector<std::pair<std::string, std::string>>;

  BackgroundCommit() = default;
  BackgroundCommit(const BackgroundCommit&) = delete;
  BackgroundCommit& operator=(const BackgroundCommit&) = delete;

  /// Starts writing `delta` and `meta` in one WriteBatch; once it is in the store, `after()`
  /// (returning core::Result<void>) runs on the writing thread. Call only when nothing is in
  /// flight (after wait()).
  template <typename After>
  void start(RocksStore& store, core::BatchDelta delta, Meta meta, After after) {
    CHECK(!busy());
    delta_ = std::make_unique<core::BatchDelta>(std::move(delta));
    in_flight_ = std::async(std::launch::async,
                            [&store, &delta = *delta_, meta = std::move(meta),
                             after = std::move(after)]() mutable -> core::Result<void> {
                              name_this_thread("segd-commit");
                              auto committed = store.commit(delta, meta);
                              if (!committed) {
                                return std::unexpected(committed.error());
                              }
                              return after();
                            });
  }

  void start(RocksStore& store, core::BatchDelta delta, Meta meta) {
    start(store, std::move(delta), std::move(meta), [] { return core::Result<void>{}; });
  }

  /// Waits for the write in flight, if any, and returns how it went; then releases its delta.
  [[nodiscard]] core::Result<void> wait() {
    if (!busy()) {
      return {};
    }
    core::Result<void> r = in_flight_.get();
    delta_.reset();
    return r;
  }

 private:
  [[nodiscard]] bool busy() const { return in_flight_.valid(); }

  std::unique_ptr<core::BatchDelta> delta_;
  // Declared after delta_, so destroyed first: its destructor waits for the write that reads
  // delta_.
  std::future<core::Result<void>> in_flight_;
};

}  // namespace segd::io
