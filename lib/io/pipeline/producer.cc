#include "io/pipeline/producer.h"

#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/kafka/thread_priority.h"
#include "io/pipeline/kafka_log.h"

namespace segd::io {

kafka::Properties producer_properties(const std::string& brokers,
                                      const kafka::Properties& overrides) {
  kafka::Properties props = {{"bootstrap.servers", brokers},
                             {"enable.idempotence", "true"},
                             {"acks", "all"},
                             {"message.timeout.ms", "0"},
                             {"linger.ms", "5"},
                             {"compression.type", "lz4"},
                             {"partitioner", "murmur2_random"}};
  for (const auto& [k, v] : overrides) {
    props[k] = v;
  }
  return props;
}

core::Result<std::unique_ptr<Producer>> Producer::create(const std::string& brokers,
                                                         const kafka::Properties& overrides,
                                                         int thread_nice) {
  auto conf = kafka::make_conf(producer_properties(brokers, overrides));
  if (!conf) {
    return std::unexpected(conf.error());
  }
  route_kafka_logs(conf->get());
  kafka::lower_client_thread_priority(conf->get(), thread_nice);
  std::unique_ptr<Producer> producer(new Producer());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), producer.get());
  auto rk = kafka::make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) {
    return std::unexpected(rk.error());
  }
  producer->rk_ = std::move(*rk);
  producer->max_message_bytes_ = kafka::max_message_bytes(producer->rk_.get());
  return producer;
}

Producer::~Producer() {
  if (rk_) {
    rd_kafka_flush(rk_.get(), 1000);
  }
}

void Producer::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  Delivery d;
  d.tag = reinterpret_cast<uintptr_t>(msg->_private);
  d.ok = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  d.partition = msg->partition;
  d.offset = msg->offset;
  if (!d.ok) {
    d.error = rd_kafka_err2str(msg->err);
  }
  self->reports_.push_back(std::move(d));
}

core::Result<void> Producer::produce(const std::string& topic,
                                     std::string_view key,
                                     std::string_view value,
                                     const Headers& headers,
                                     uint64_t tag) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& [name, v] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  }
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(tag))), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(hdrs);  // Ownership passes to librdkafka only on success.
    return std::unexpected(kafka::to_error(err, "produce to " + topic));
  }
  return {};
}

std::vector<Delivery> Producer::poll(int timeout_ms) {
  rd_kafka_poll(rk_.get(), timeout_ms);
  return std::exchange(reports_, {});
}

int Producer::outstanding() const { return rd_kafka_outq_len(rk_.get()); }

}  // namespace segd::io
