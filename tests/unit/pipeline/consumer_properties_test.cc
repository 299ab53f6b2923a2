#include "io/pipeline/consumer_properties.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

std::string conf_value(const kafka::ConfPtr& conf, const char* name) {
  char value[256];
  size_t size = sizeof(value);
  EXPECT_EQ(rd_kafka_conf_get(conf.get(), name, value, &size), RD_KAFKA_CONF_OK) << name;
  return value;
}

TEST(ConsumerPropertiesTest, PrefetchIsBoundByBytesNotByTheWholeQueuesMessageCount) {
  PipelineConfig config;
  config.brokers = "127.0.0.1:1";
  config.group_id = "g";
  const kafka::Properties props = consumer_properties(config);
  EXPECT_EQ(props.at("bootstrap.servers"), "127.0.0.1:1");
  EXPECT_EQ(props.at("group.id"), "g");
  EXPECT_EQ(props.at("enable.auto.commit"), "false");
  // librdkafka's default (100000) counts the whole consumer queue of a group consumer and
  // stalls a fast pipeline for up to a second each time it is exceeded.
  EXPECT_EQ(props.at("queued.min.messages"), "1000000");

  // librdkafka takes them as they are.
  auto conf = kafka::make_conf(props);
  ASSERT_TRUE(conf.has_value()) << conf.error().message;
  EXPECT_EQ(conf_value(*conf, "queued.min.messages"), "1000000");
  EXPECT_EQ(conf_value(*conf, "fetch.wait.max.ms"), "50");
}

TEST(ConsumerPropertiesTest, HeartbeatsComeAtLeastThreeTimesPerSessionTimeout) {
  // librdkafka's 3 s heartbeat let a session shorter than that expire between two heartbeats.
  PipelineConfig config;
  config.session_timeout = std::chrono::milliseconds(2000);
  EXPECT_EQ(consumer_properties(config).at("heartbeat.interval.ms"), "666");
  config.session_timeout = std::chrono::milliseconds(10000);
  EXPECT_EQ(consumer_properties(config).at("heartbeat.interval.ms"), "3000");
  config.rdkafka_overrides = {{"heartbeat.interval.ms", "500"}};
  EXPECT_EQ(consumer_properties(config).at("heartbeat.interval.ms"), "500");
}

TEST(ConsumerPropertiesTest, FetchResponsesAreCappedAtFourMebibytes) {
  // librdkafka's 50 MiB responses were parsed and processed after they had left the caches.
  PipelineConfig config;
  EXPECT_EQ(consumer_properties(config).at("fetch.max.bytes"), "4194304");
  auto conf = kafka::make_conf(consumer_properties(config));
  ASSERT_TRUE(conf.has_value()) << conf.error().message;
  EXPECT_EQ(conf_value(*conf, "fetch.max.bytes"), "4194304");
}

TEST(ConsumerPropertiesTest, ALargerMessageMaxBytesRaisesTheFetchCapToIt) {
  // librdkafka refuses a consumer whose fetch.max.bytes is below its message.max.bytes: segd's
  // own default must not turn a valid override into a refused config.
  PipelineConfig config;
  config.rdkafka_overrides = {{"message.max.bytes", "10000000"}};
  EXPECT_EQ(consumer_properties(config).at("fetch.max.bytes"), "10000000");
  auto conf = kafka::make_conf(consumer_properties(config));
  ASSERT_TRUE(conf.has_value()) << conf.error().message;
  EXPECT_EQ(kafka::refusals(RD_KAFKA_CONSUMER, consumer_properties(config)).size(), 0U);

  config.rdkafka_overrides = {{"message.max.bytes", "1000"}};
  EXPECT_EQ(consumer_properties(config).at("fetch.max.bytes"), "4194304");
  // Not a number: left for librdkafka to refuse under its own key.
  config.rdkafka_overrides = {{"message.max.bytes", "10MB"}};
  EXPECT_EQ(consumer_properties(config).at("fetch.max.bytes"), "4194304");
  // An explicit fetch.max.bytes wins, as every override does.
  config.rdkafka_overrides = {{"message.max.bytes", "10000000"}, {"fetch.max.bytes", "20000000"}};
  EXPECT_EQ(consumer_properties(config).at("fetch.max.bytes"), "20000000");
}

TEST(ConsumerPropertiesTest, RdkafkaOverridesWin) {
  PipelineConfig config;
  config.rdkafka_overrides = {{"queued.min.messages", "5000"}, {"client.id", "segd-x"}};
  const kafka::Properties props = consumer_properties(config);
  EXPECT_EQ(props.at("queued.min.messages"), "5000");
  EXPECT_EQ(props.at("client.id"), "segd-x");
  EXPECT_EQ(props.at("auto.offset.reset"), "earliest");
}

}  // namespace
}  // namespace segd::io
