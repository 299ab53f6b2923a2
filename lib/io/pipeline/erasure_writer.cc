#include "io/pipeline/erasure_writer.h"

#include "core/events/event.h"
#include "io/codec/json_event_codec.h"
#include "io/codec/proto_event_codec.h"

namespace segd::io {

core::Result<std::unique_ptr<ErasureWriter>> ErasureWriter::create(const PipelineConfig& config,
                                                                   InputTopicConfig topic) {
  auto producer = Producer::create(config.brokers, config.rdkafka_overrides);
  if (!producer) {
    return std::unexpected(producer.error());
  }
  return std::unique_ptr<ErasureWriter>(new ErasureWriter(std::move(*producer), std::move(topic)));
}

core::Result<ErasureReceipt> ErasureWriter::write(const std::string& id,
                                                  int64_t ts_ms,
                                                  std::chrono::milliseconds timeout) {
  core::Event event;
  event.type = core::EventType::kErasure;
  event.customer_id = id;
  event.ts = core::TimestampMs{ts_ms};
  event.event_id = "erasure-" + std::to_string(ts_ms);
  const std::string payload =
      topic_.format == WireFormat::kProtobuf ? encode_proto_event(event) : encode_json_event(event);
  const std::lock_guard lock(mutex_);
  const uint64_t tag = next_tag_++;
  if (auto queued = producer_->produce(topic_.name, id, payload, {}, tag); !queued) {
    return std::unexpected(queued.error());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    // Reports of earlier, timed-out requests may arrive here too; only this one's counts.
    for (const Delivery& d : producer_->poll(50)) {
      if (d.tag != tag) {
        continue;
      }
      if (!d.ok) {
        return core::fail("kafka.produce", "erasure event to " + topic_.name + ": " + d.error);
      }
      return ErasureReceipt{topic_.name, d.partition, d.offset, event.event_id};
    }
  }
  return core::fail("erasure_unconfirmed",
                    "the erasure event to " + topic_.name + " was not confirmed within " +
                        std::to_string(timeout.count()) +
                        " ms; it may still be delivered and applied; retry to be sure");
}

}  // namespace segd::io
