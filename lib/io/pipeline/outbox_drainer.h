#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/common/result.h"
#include "io/log/failure_summary.h"
#include "io/pipeline/pipeline_config.h"
#include "io/pipeline/pipeline_stats.h"
#include "io/pipeline/producer.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// Publishes the RocksDB outbox to the segment-changes topic with an idempotent producer, on its
/// own thread. A record is deleted only after its delivery report succeeded, and together with
/// every record before it (a range delete); a failed delivery is sent again. Output is
/// at-least-once: every record has a deterministic event_id.
class OutboxDrainer {
 public:
  [[nodiscard]] static core::Result<std::unique_ptr<OutboxDrainer>> create(
      const PipelineConfig& config, RocksStore& store, PipelineStats& stats);
  ~OutboxDrainer();
  OutboxDrainer(const OutboxDrainer&) = delete;
  OutboxDrainer& operator=(const OutboxDrainer&) = delete;

  /// Starts the publishing thread (records left by an earlier run go first).
  void start();
  /// Wakes the thread: a commit added records.
  void notify();
  /// True when nothing is pending or in flight: the thread found the outbox empty on a look that
  /// began after the last notify() (a commit that notified is never missed).
  [[nodiscard]] bool idle() const { return idle_.load(); }
  /// Records committed and not yet confirmed delivered: every commit so far counts at once, the
  /// confirmations as of the thread's last delivery reports. Thread-safe, takes no lock.
  [[nodiscard]] uint64_t pending() const;
  /// Keeps publishing until the outbox is empty or `timeout` passes, then stops the thread.
  /// Errors: records still pending at the timeout (they stay in RocksDB for the next start),
  /// `outbox_not_drained` with their number.
  [[nodiscard]] core::Result<void> stop(std::chrono::milliseconds timeout);

 private:
  OutboxDrainer(const PipelineConfig& config,
                RocksStore& store,
                PipelineStats& stats,
                std::unique_ptr<Producer> producer);
  void run();
  [[nodiscard]] core::Result<size_t> fill();
  void settle(const std::vector<Delivery>& reports);
  /// Every record below this was delivered at least once.
  [[nodiscard]] uint64_t confirmed_below() const;
  [[nodiscard]] std::string encode(const core::SegmentChange& change) const;

  const PipelineConfig& config_;
  RocksStore& store_;
  PipelineStats& stats_;
  std::unique_ptr<Producer> producer_;
  std::set<uint64_t> in_flight_;
  uint64_t next_seq_ = 0;       ///< The next record to send.
  uint64_t deleted_below_ = 0;  ///< Records below this are deleted from the store.
  std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t notifications_ = 0;  ///< notify() calls so far; guarded by mutex_ (as is idle_'s store).
  std::chrono::milliseconds drain_timeout_{0};  // Set by stop() before stopping_.
  std::atomic<bool> stopping_{false};
  std::atomic<bool> idle_{false};
  std::atomic<uint64_t> confirmed_below_{0};  ///< confirmed_below() as of the last settle().
  /// Delivery failures come by the in-flight window in an outage: logged as a count.
  FailureSummary delivery_failures_{"delivery", "deliveries", std::chrono::seconds(10)};
  bool failing_ = false;  ///< The last fill() failed (records pending); read by stop() after join.
  std::thread thread_;
};

}  // namespace segd::io
