#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "io/pipeline/pipeline_stats.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// One segment as listed by GET /v1/segments.
struct SegmentSummary {
  std::string name;
  std::string enter;
  std::string exit;  ///< Empty: "not enter".
  int64_t members = 0;
};

/// What erasing a customer did (DELETE /v1/customers/{id}).
/// Where an erasure event was written (`kafka.erasure_topic`), for the instance that owns the
/// customer's partition to apply.
struct ErasureReceipt {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::string event_id;
};

struct ErasureResult {
  bool existed = false;
  std::vector<std::string> exited_segments;  ///< Exit events emitted with cause `erasure`.
  /// Set when the erasure was written to the erasure topic instead of applied here (then
  /// `existed` and `exited_segments` are unknown and left empty).
  std::optional<ErasureReceipt> queued;
};

/// When the request a mutating call serves arrived. The call's time limits count from it: commands
/// run one at a time, and one queued behind others has that much less left (it fails with
/// `admin_busy`, having done nothing, once its limit has passed before it could start).
using RequestTime = std::chrono::steady_clock::time_point;

/// Model information for metrics.
struct ModelInfo {
  int64_t version = 0;
  double last_refit_seconds = 0.0;
};

/// What the admin HTTP server and the metrics exposition need from the daemon. Implemented by the
/// pipeline; every method is thread-safe and may block briefly (mutating calls run on the pipeline
/// thread between batches), so call them off the io_context thread.
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  /// Counters and per-partition gauges.
  [[nodiscard]] virtual PipelineSnapshot pipeline() const = 0;
  /// RocksDB sizes and cache hit ratio.
  [[nodiscard]] virtual StoreStats store() const = 0;
  [[nodiscard]] virtual ModelInfo model() const = 0;
  /// State open, partitions assigned and caught up.
  [[nodiscard]] virtual bool ready() const = 0;
  /// The inspect JSON of a customer including `explain` (why it is in each segment); nullopt when
  /// unknown.
  [[nodiscard]] virtual core::Result<std::optional<std::string>> customer_json(
      const std::string& id) = 0;
  [[nodiscard]] virtual core::Result<std::vector<SegmentSummary>> segments() = 0;
  /// GDPR erasure: removes state, timers and dedup memory, emits exits with cause `erasure`.
  [[nodiscard]] virtual core::Result<ErasureResult> erase_customer(const std::string& id,
                                                                   RequestTime arrived) = 0;
  /// Re-reads and validates the rules file; on error the old rules stay (code `rules_file`,
  /// `rule_syntax`, ...).
  [[nodiscard]] virtual core::Result<std::vector<SegmentSummary>> reload_rules(
      RequestTime arrived) = 0;
};

}  // namespace segd::io
