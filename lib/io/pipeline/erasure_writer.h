#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/result.h"
#include "io/admin/admin_backend.h"
#include "io/pipeline/pipeline_config.h"
#include "io/pipeline/producer.h"

namespace segd::io {

/// Writes erasure events (`"type":"erasure"`) to the erasure topic (`kafka.erasure_topic`, one
/// of the input topics) for `DELETE /v1/customers/{id}`. Keyed by the customer id with the
/// murmur2 partitioner, an erasure lands in the customer's partition, where the instance that
/// owns it, and every later replay or rebuild of the topics, applies it at the same place.
/// Thread-safe.
class ErasureWriter {
 public:
  /// Errors: kafka.bad_config / kafka.create_failed.
  [[nodiscard]] static core::Result<std::unique_ptr<ErasureWriter>> create(
      const PipelineConfig& config, InputTopicConfig topic);

  /// Produces the erasure of `id` at event time `ts_ms` (the request's wall-clock time: the
  /// erasure applies to everything the customer did before it) and waits up to `timeout` for the
  /// broker to confirm it. Errors: `kafka.*` from produce, `erasure_unconfirmed` when the
  /// confirmation did not come in time (the event may still be delivered later).
  [[nodiscard]] core::Result<ErasureReceipt> write(const std::string& id,
                                                   int64_t ts_ms,
                                                   std::chrono::milliseconds timeout);

 private:
  ErasureWriter(std::unique_ptr<Producer> producer, InputTopicConfig topic)
      : producer_(std::move(producer)), topic_(std::move(topic)) {}

  std::mutex mutex_;
  std::unique_ptr<Producer> producer_;
  InputTopicConfig topic_;
  uint64_t next_tag_ = 1;
};

}  // namespace segd::io
