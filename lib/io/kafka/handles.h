#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace segd::io::kafka {

/// Deleters for librdkafka's C handles; wrap every handle the moment it is created.
struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* msg) const { rd_kafka_message_destroy(msg); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

/// Owning client handle (producer or consumer). Destroying it blocks until librdkafka's threads
/// stop; close consumers first (rd_kafka_consumer_close) so the group is left cleanly.
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
/// Owning configuration; release() it into rd_kafka_new, which takes ownership on success.
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
/// Owning topic handle; must be destroyed before its KafkaPtr.
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
/// Owning consumed message (from rd_kafka_consumer_poll, rd_kafka_consume_batch_queue, ...).
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
/// Owning queue handle (e.g. rd_kafka_queue_get_consumer); must be destroyed before its
/// KafkaPtr.
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
/// Owning topic-partition list.
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

}  // namespace segd::io::kafka
