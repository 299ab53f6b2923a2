#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

#include "core/common/result.h"

namespace segd::io::kafka {

/// What a caller should do about a librdkafka error code.
enum class ErrorClass {
  kOk,         ///< Not an error (NO_ERROR, or the informational _PARTITION_EOF).
  kRetriable,  ///< Transient: broker/leader/coordinator moves, timeouts, full queues.
  kFatal,  ///< Needs a human or a restart: bad config, auth, fenced or out-of-sequence producer.
};

/// Classifies a librdkafka error code. Pure, thread-safe; exhaustive over librdkafka 2.0.2's codes.
[[nodiscard]] ErrorClass classify(rd_kafka_resp_err_t err);

/// Translates an error code at the adapter boundary: Error{code "kafka.<NAME>" (for example
/// `kafka._MSG_TIMED_OUT`), message "<context>: <librdkafka description>"}.
[[nodiscard]] core::Error to_error(rd_kafka_resp_err_t err, std::string_view context = {});

/// Whether `e` is to_error() of `err` (for example a producer's full queue, which the caller
/// waits out, among the errors a produce returns).
[[nodiscard]] bool is_error(const core::Error& e, rd_kafka_resp_err_t err);

}  // namespace segd::io::kafka
