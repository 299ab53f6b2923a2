#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/common/strong_int.h"
#include "core/features/customer_state.h"
#include "core/segments/segment_change.h"

namespace segd::core {

/// A pending timer: re-evaluate `customer_id` once its partition's stream time reaches `due_ms`.
struct TimerKey {
  int64_t due_ms = 0;
  std::string customer_id;

  auto operator<=>(const TimerKey&) const = default;
  bool operator==(const TimerKey&) const = default;
};

/// A customer's pending timer as committed. For a timer that rests on model scores,
/// `model_version` is the version it was computed under: a newer version fires it when it
/// becomes active, whatever its due time (PartitionProcessor::add_model()).
struct Timer {
  int64_t due_ms = 0;
  std::string customer_id;
  std::optional<int64_t> model_version;

  [[nodiscard]] TimerKey key() const { return {due_ms, customer_id}; }
  auto operator<=>(const Timer&) const = default;
  bool operator==(const Timer&) const = default;
};

/// How far an input source has been consumed: `source` names it (`<topic>/<partition>` for
/// Kafka, `replay` for segctl), `next_offset` is the first record not yet processed.
struct SourcePosition {
  std::string source;
  int64_t next_offset = 0;

  bool operator==(const SourcePosition&) const = default;
};

/// Everything one processed batch changes, written atomically (one RocksDB WriteBatch).
struct BatchDelta {
  std::vector<std::shared_ptr<const CustomerState>> customers_put;  ///< Each changed customer once.
  std::vector<std::string> customers_deleted;                       ///< Sorted.
  std::vector<std::pair<PartitionId, Timer>> timers_put;            ///< The customer's new timer.
  std::vector<std::pair<PartitionId, std::string>> timers_deleted;  ///< Customers left without one.
  std::vector<std::pair<PartitionId, int64_t>> stream_times;  ///< New stream time per partition.
  /// New count of erased customers per partition (PartitionRestore::erasures).
  std::vector<std::pair<PartitionId, int64_t>> erasure_counts;
  std::vector<SourcePosition> positions;
  std::vector<SegmentChange> outbox;  ///< In emission order.

  [[nodiscard]] bool empty() const {
    return customers_put.empty() && customers_deleted.empty() && timers_put.empty() &&
           timers_deleted.empty() && stream_times.empty() && erasure_counts.empty() &&
           positions.empty() && outbox.empty();
  }
};

/// What a partition remembered at the last commit.
struct PartitionRestore {
  int64_t stream_time_ms = 0;
  int64_t erasures = 0;  ///< Customers erased in the partition so far.
  std::vector<Timer> timers;
};

/// Read access to persisted state, implemented by io::RocksStore (and by an in-memory map in unit
/// tests). Not thread-safe unless the implementation says so.
class StateReader {
 public:
  virtual ~StateReader() = default;
  /// The stored state of a customer, nullopt when unknown. Errors: storage failures.
  [[nodiscard]] virtual Result<std::optional<CustomerState>> get_customer(std::string_view id) = 0;
};

}  // namespace segd::core
