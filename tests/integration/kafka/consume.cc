#include "integration/kafka/consume.h"

#include <chrono>
#include <cstdio>
#include <set>

#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/kafka/handles.h"

namespace segd::test {

using io::kafka::KafkaPtr;
using io::kafka::MessagePtr;
using io::kafka::PartitionListPtr;

core::Result<KafkaPtr> open_reader(const std::string& bootstrap,
                                   const std::string& topic,
                                   int32_t partition_count) {
  auto conf = io::kafka::make_conf({{"bootstrap.servers", bootstrap},
                                    {"group.id", "segd-test-reader"},
                                    {"enable.auto.commit", "false"},
                                    {"enable.partition.eof", "true"},
                                    {"auto.offset.reset", "earliest"}});
  if (!conf) {
    return std::unexpected(conf.error());
  }
  auto rk = io::kafka::make_client(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) {
    return std::unexpected(rk.error());
  }
  PartitionListPtr list(rd_kafka_topic_partition_list_new(partition_count));
  for (int32_t p = 0; p < partition_count; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (auto err = rd_kafka_assign(rk->get(), list.get()); err) {
    return std::unexpected(io::kafka::to_error(err, "assign"));
  }
  return std::move(*rk);
}

core::Result<std::vector<Record>> consume_all(const std::string& bootstrap,
                                              const std::string& topic,
                                              int32_t partition_count) {
  auto rk = open_reader(bootstrap, topic, partition_count);
  if (!rk) {
    return std::unexpected(rk.error());
  }
  std::vector<Record> records;
  std::set<int32_t> at_end;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (static_cast<int32_t>(at_end.size()) < partition_count) {
    if (std::chrono::steady_clock::now() > deadline) {
      return core::fail("timeout", "partitions at end: " + std::to_string(at_end.size()));
    }
    MessagePtr msg(rd_kafka_consumer_poll(rk->get(), 100));
    if (!msg) {
      continue;
    }
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(msg->partition);
      continue;
    }
    if (msg->err) {
      return std::unexpected(io::kafka::to_error(msg->err, "consume"));
    }
    Record r{msg->partition, msg->offset, std::nullopt,
             std::string(static_cast<const char*>(msg->payload), msg->len)};
    if (msg->key != nullptr) {
      r.key = std::string(static_cast<const char*>(msg->key), msg->key_len);
    }
    records.push_back(std::move(r));
  }
  rd_kafka_consumer_close(rk->get());
  return records;
}

std::string make_lines(int64_t count, int64_t customers) {
  std::string out;
  out.reserve(static_cast<size_t>(count) * 210);
  char buf[256];
  for (int64_t i = 0; i < count; ++i) {
    const int n = std::snprintf(
        buf, sizeof buf,
        R"({"event_id":"e-%09lld","type":"page_view","customer_id":"c%06lld",)"
        R"("ts":1772359200000,"session_id":"s-%lld","url":"/shop/category/shoes/item/%lld",)"
        R"("pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})"
        "\n",
        static_cast<long long>(i), static_cast<long long>(i % customers),
        static_cast<long long>(i % 977), static_cast<long long>(i % 10007));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace segd::test
