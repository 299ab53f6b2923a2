#include "io/kafka/bulk_producer.h"

#include <array>
#include <string_view>

#include "core/common/text_line.h"
#include "io/kafka/errors.h"
#include "io/kafka/handles.h"
#include "io/kafka/json_key.h"

namespace segd::io::kafka {
namespace {

/// Delivery-report counters, reached through the client's opaque pointer. Lives on the stack of
/// produce_jsonl() and is declared before the client handle, so it outlives every callback.
struct DeliveryCounters {
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
};

// Called on the thread that runs rd_kafka_poll/flush (ours), so no locking is needed.
void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* counters = static_cast<DeliveryCounters*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++counters->delivered;
    return;
  }
  ++counters->failed;
  if (counters->first_error.empty()) {
    counters->first_error = to_error(msg->err, "delivery").message;
  }
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool stop_requested(const std::atomic<int>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed) != 0;
}

/// Hands one message to librdkafka, serving delivery reports while its queue is full.
/// RD_KAFKA_RESP_ERR__INTR: `stop` was set while the queue was full, and it was not handed over.
rd_kafka_resp_err_t produce_one(rd_kafka_t* rk,
                                rd_kafka_topic_t* topic,
                                std::string_view payload,
                                const std::optional<std::string>& key,
                                const std::atomic<int>* stop) {
  while (true) {
    const int rc = rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                    const_cast<char*>(payload.data()), payload.size(),
                                    key ? key->data() : nullptr, key ? key->size() : 0, nullptr);
    if (rc == 0) {
      return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    const rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return err;
    }
    if (stop_requested(stop)) {
      return RD_KAFKA_RESP_ERR__INTR;
    }
    rd_kafka_poll(rk, 10);
  }
}

/// Reads and enqueues every line. A message librdkafka rejects (too large, unknown partition)
/// counts as failed; a fatal producer error stops reading, and check_fatal() reports it.
ProduceStats produce_lines(rd_kafka_t* rk,
                           rd_kafka_topic_t* topic,
                           const BulkProduceConfig& config,
                           std::istream& lines,
                           const LineEncoder& encode,
                           const DeliveryCounters& counters,
                           const std::atomic<int>* stop) {
  ProduceStats stats;
  std::string line;
  std::optional<std::string> encoded;
  // A line is kept only as far as a message can be long: a longer one is refused anyway, and
  // memory stays bounded whatever the input (a file without line breaks).
  const size_t max_bytes = max_message_bytes(rk);
  core::BoundedLineReader reader(max_bytes, core::kMaxTextLineBytes);
  const auto fail_line = [&stats](std::string error) {
    ++stats.produced;
    ++stats.failed;
    if (stats.first_error.empty()) {
      stats.first_error = std::move(error);
    }
  };
  size_t length = 0;
  int64_t number = 0;
  while (!stop_requested(stop) && reader.next(lines, line, length)) {
    ++number;
    if (length > line.size()) {
      fail_line("line " + std::to_string(number) + " is " + std::to_string(length) +
                " bytes, more than message.max.bytes (" + std::to_string(max_bytes) + ")");
      continue;
    }
    if (is_blank(line)) {
      ++stats.blank_lines;
      continue;
    }
    const auto key = top_level_string_field(line, config.key_field);
    if (encode) {
      encoded = encode(line);
    }
    const auto err = produce_one(rk, topic, encoded ? *encoded : line, key, stop);
    if (err == RD_KAFKA_RESP_ERR__INTR) {
      break;  // Not handed over, so not counted: a rerun starts with this line.
    }
    ++stats.produced;
    stats.null_keys += key ? 0 : 1;
    stats.sent_as_is += encode && !encoded ? 1 : 0;
    if (err) {
      ++stats.failed;
      if (stats.first_error.empty() && counters.first_error.empty()) {
        stats.first_error = to_error(err, "produce to " + config.topic).message;
      }
      if (err == RD_KAFKA_RESP_ERR__FATAL) {
        break;
      }
    }
    // Serve delivery reports now and then so their queue stays short.
    if (stats.produced % 4096 == 0) {
      rd_kafka_poll(rk, 0);
    }
  }
  if (reader.too_long()) {
    fail_line(core::too_long_line_text(number + 1));
    stats.stopped = true;
  }
  stats.stopped = stats.stopped || stop_requested(stop);
  return stats;
}

core::Result<void> check_fatal(rd_kafka_t* rk) {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, reason.data(), reason.size());
  if (fatal != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(to_error(fatal, std::string("fatal producer error: ") + reason.data()));
  }
  return {};
}

}  // namespace

Properties bulk_producer_properties(const BulkProduceConfig& config) {
  // Throughput defaults: large batches and a short linger; idempotence keeps retries from
  // duplicating or reordering. Overrides are applied afterwards and win, except over the
  // brokers and the partitioner (check_overrides()).
  Properties props{
      {"bootstrap.servers", config.brokers},
      {"partitioner", "murmur2_random"},
      {"enable.idempotence", "true"},
      {"linger.ms", "10"},
      {"batch.num.messages", "10000"},
      {"batch.size", "262144"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"message.timeout.ms", "30000"},
      {"reconnect.backoff.max.ms", "1000"},
  };
  for (const auto& [name, value] : config.rdkafka_overrides) {
    props[name] = value;
  }
  return props;
}

core::Result<void> check_overrides(const Properties& overrides) {
  for (const auto& [name, value] : overrides) {
    if (name == "partitioner") {
      return core::fail("kafka.bad_config",
                        name +
                            ": cannot be overridden: messages are placed by murmur2 of their "
                            "customer_id (murmur2_random, the Java client's default), where segd "
                            "looks for a customer's events");
    }
    if (name == "bootstrap.servers" || name == "metadata.broker.list") {
      return core::fail("kafka.bad_config", name + ": cannot be overridden: use --brokers");
    }
  }
  return {};
}

core::Result<ProduceStats> produce_jsonl(const BulkProduceConfig& config,
                                         std::istream& lines,
                                         const LineEncoder& encode,
                                         const std::atomic<int>* stop) {
  if (config.brokers.empty() || config.topic.empty()) {
    return core::fail("kafka.bad_config", "brokers and topic are required");
  }
  if (auto allowed = check_overrides(config.rdkafka_overrides); !allowed) {
    return std::unexpected(allowed.error());
  }
  DeliveryCounters counters;  // Before the handles: it must outlive them.
  auto conf = make_conf(bulk_producer_properties(config));
  if (!conf) {
    return std::unexpected(conf.error());
  }
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), &counters);
  auto rk = make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) {
    return std::unexpected(rk.error());
  }
  TopicPtr topic(rd_kafka_topic_new(rk->get(), config.topic.c_str(), nullptr));
  if (!topic) {
    return std::unexpected(to_error(rd_kafka_last_error(), "topic " + config.topic));
  }
  ProduceStats stats = produce_lines(rk->get(), topic.get(), config, lines, encode, counters, stop);
  // Flush even after a stop, so whatever was queued is delivered and accounted for.
  const auto flushed = rd_kafka_flush(rk->get(), static_cast<int>(config.flush_timeout.count()));
  stats.delivered = counters.delivered;
  if (auto fatal = check_fatal(rk->get()); !fatal) {
    // What was delivered before it stays counted: re-running the whole file would duplicate it.
    stats.stopped = true;
    stats.failed = stats.produced - stats.delivered;
    stats.first_error = fatal.error().code + ": " + fatal.error().message;
    return stats;
  }
  stats.failed += counters.failed;
  if (stats.first_error.empty()) {
    stats.first_error = counters.first_error;
  }
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Still queued at the deadline: counted as failed, never silently dropped.
    stats.failed = stats.produced - stats.delivered;
    if (stats.first_error.empty()) {
      stats.first_error = to_error(flushed, "flush").message;
    }
  }
  return stats;
}

}  // namespace segd::io::kafka
