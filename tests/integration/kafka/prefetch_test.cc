// How far segd's input consumer prefetches (consumer_properties()), against segd-devbroker.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <sstream>
#include <thread>

#include "io/kafka/bulk_producer.h"
#include "io/kafka/conf.h"
#include "io/pipeline/consumer_properties.h"
#include "support/devbroker.h"

namespace segd::test {
namespace {

constexpr int32_t kPartitions = 8;
constexpr int64_t kMessages = 300000;

/// Assigns every partition of `topic` from the beginning to a group consumer with `props`,
/// consumes nothing, and returns the consumer queue's length once it holds every message or
/// `wait` has passed.
size_t queued_without_consuming(const io::kafka::Properties& props,
                                const std::string& topic,
                                std::chrono::milliseconds wait) {
  auto conf = io::kafka::make_conf(props);
  EXPECT_TRUE(conf.has_value()) << conf.error().message;
  auto rk = io::kafka::make_client(RD_KAFKA_CONSUMER, std::move(*conf));
  EXPECT_TRUE(rk.has_value()) << rk.error().message;
  io::kafka::PartitionListPtr partitions(rd_kafka_topic_partition_list_new(kPartitions));
  for (int32_t p = 0; p < kPartitions; ++p) {
    rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  EXPECT_EQ(rd_kafka_assign(rk->get(), partitions.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  io::kafka::QueuePtr queue(rd_kafka_queue_get_consumer(rk->get()));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  size_t length = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    length = rd_kafka_queue_length(queue.get());
    if (length >= static_cast<size_t>(kMessages)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Every fetched message holds a reference that keeps librdkafka's broker thread alive, so
  // they all go before the handle: destroying it with the queue still full hung once, under
  // load, with the broker thread never exiting.
  rd_kafka_assign(rk->get(), nullptr);
  rd_kafka_consumer_close(rk->get());
  std::array<rd_kafka_message_t*, 4096> batch{};
  ssize_t n = 0;
  while ((n = rd_kafka_consume_batch_queue(queue.get(), 100, batch.data(), batch.size())) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_destroy(batch[static_cast<size_t>(i)]);
    }
  }
  queue.reset();
  return length;
}

// librdkafka 2.0's group consumer forwards each partition's fetch queue to the one consumer
// queue and holds that whole queue against queued.min.messages, a per-partition limit: at its
// default of 100000 the fetcher stops there, and looks again only about a second later (the
// daemon, consuming 150-200k events/s, found the queue empty for 50 ms 20-40 times per 1M
// events). segd's default lets prefetching go on up to queued.max.messages.kbytes.
TEST(ConsumerPrefetchTest, SegdsConsumerPrefetchesPastLibrdkafkasMessageCountLimit) {
  auto broker = DevBroker::start(DevBrokerOptions{
      .binary = SEGD_BIN_DIR "/segd-devbroker", .brokers = 1, .topics = {"prefetch:8"}});
  ASSERT_TRUE(broker.has_value()) << broker.error().message;
  std::ostringstream lines;
  for (int64_t i = 0; i < kMessages; ++i) {
    lines << "{\"customer_id\":\"c" << i % 5000 << "\",\"i\":" << i << "}\n";
  }
  io::kafka::BulkProduceConfig produce;
  produce.brokers = broker->bootstrap();
  produce.topic = "prefetch";
  produce.rdkafka_overrides = {{"batch.size", "16384"}};
  std::istringstream in(lines.str());
  auto stats = io::kafka::produce_jsonl(produce, in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  ASSERT_EQ(stats->delivered, kMessages) << stats->first_error;

  io::PipelineConfig config;
  config.brokers = broker->bootstrap();
  config.group_id = "prefetch-test";
  // Small fetches (at most ~25k messages each) make the difference plain.
  config.rdkafka_overrides = {{"max.partition.fetch.bytes", "65536"}};
  EXPECT_GE(queued_without_consuming(io::consumer_properties(config), "prefetch",
                                     std::chrono::seconds(30)),
            static_cast<size_t>(kMessages));

  // The same consumer with librdkafka's own limit stops after about 100000 messages.
  config.rdkafka_overrides["queued.min.messages"] = "100000";
  const size_t limited = queued_without_consuming(io::consumer_properties(config), "prefetch",
                                                  std::chrono::seconds(3));
  EXPECT_GE(limited, 100000U);
  EXPECT_LT(limited, static_cast<size_t>(kMessages));
}

}  // namespace
}  // namespace segd::test
