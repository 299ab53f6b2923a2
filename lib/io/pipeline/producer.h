#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "io/kafka/conf.h"
#include "io/kafka/handles.h"

namespace segd::io {

/// The librdkafka properties of segd's producers (outbox, dead letters, erasures): segd's
/// settings (idempotence, acks=all, infinite message timeout, linger.ms=5, lz4, murmur2_random),
/// then `overrides` (they win). Pure.
[[nodiscard]] kafka::Properties producer_properties(const std::string& brokers,
                                                    const kafka::Properties& overrides);

/// Outcome of one produced message, reported from poll() on the caller's thread.
struct Delivery {
  uint64_t tag = 0;  ///< What the caller passed to produce().
  bool ok = false;
  std::string error;
  int32_t partition = -1;  ///< Where the message went (-1 when unknown).
  int64_t offset = -1;     ///< Its offset there, when the broker reported one (else -1).
};

/// An idempotent librdkafka producer that reports deliveries by tag. Not thread-safe: one owner
/// thread calls produce() and poll().
class Producer {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  /// Creates the producer (acks=all, idempotence, infinite message timeout: librdkafka keeps
  /// retrying through broker outages). librdkafka's threads of it take `thread_nice` more than
  /// the creating thread's nice value (kafka::lower_client_thread_priority). Errors:
  /// kafka.bad_config / kafka.create_failed.
  [[nodiscard]] static core::Result<std::unique_ptr<Producer>> create(
      const std::string& brokers, const kafka::Properties& overrides, int thread_nice = 0);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Queues one message (copied). A `key` or `value` without data (a default-constructed view,
  /// not merely an empty one) is sent as Kafka's null. Errors: queue full (retriable: poll and
  /// try again) or fatal.
  [[nodiscard]] core::Result<void> produce(const std::string& topic,
                                           std::string_view key,
                                           std::string_view value,
                                           const Headers& headers,
                                           uint64_t tag);
  /// Serves delivery reports for up to `timeout_ms`; returns those that arrived.
  [[nodiscard]] std::vector<Delivery> poll(int timeout_ms);
  /// Messages queued or in flight.
  [[nodiscard]] int outstanding() const;
  /// The largest record produce() accepts (librdkafka's message.max.bytes: payload, key and
  /// headers).
  [[nodiscard]] size_t max_message_bytes() const { return max_message_bytes_; }

 private:
  Producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  std::vector<Delivery> reports_;  // Declared before the handle: outlives librdkafka callbacks.
  kafka::KafkaPtr rk_;
  size_t max_message_bytes_ = 0;  ///< Read once from the configuration.
};

}  // namespace segd::io
