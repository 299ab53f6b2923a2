// Pure tests of the Kafka adapter's small pieces; they need no broker and run in microseconds.
#include "io/kafka/errors.h"

#include <gtest/gtest.h>

#include "io/kafka/conf.h"
#include "io/kafka/json_key.h"

namespace segd::io::kafka {
namespace {

TEST(KafkaErrorsTest, ClassifiesTransientCodesAsRetriable) {
  for (auto err :
       {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED}) {
    EXPECT_EQ(classify(err), ErrorClass::kRetriable) << rd_kafka_err2name(err);
  }
}

TEST(KafkaErrorsTest, ClassifiesConfigAuthAndFencingAsFatal) {
  for (auto err : {RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                   RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, RD_KAFKA_RESP_ERR__FENCED,
                   RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_UNKNOWN}) {
    EXPECT_EQ(classify(err), ErrorClass::kFatal) << rd_kafka_err2name(err);
  }
  EXPECT_EQ(classify(static_cast<rd_kafka_resp_err_t>(9999)), ErrorClass::kFatal);
}

TEST(KafkaErrorsTest, NoErrorAndPartitionEofAreOk) {
  EXPECT_EQ(classify(RD_KAFKA_RESP_ERR_NO_ERROR), ErrorClass::kOk);
  EXPECT_EQ(classify(RD_KAFKA_RESP_ERR__PARTITION_EOF), ErrorClass::kOk);
}

TEST(KafkaErrorsTest, TranslatesToNamedError) {
  const core::Error e = to_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "delivery");
  EXPECT_EQ(e.code, "kafka._MSG_TIMED_OUT");
  EXPECT_TRUE(e.message.starts_with("delivery: ")) << e.message;
  EXPECT_EQ(to_error(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION).code,
            "kafka.NOT_LEADER_FOR_PARTITION");
}

TEST(KafkaErrorsTest, RecognisesTheErrorOfACode) {
  const core::Error full = to_error(RD_KAFKA_RESP_ERR__QUEUE_FULL, "produce to t");
  EXPECT_TRUE(is_error(full, RD_KAFKA_RESP_ERR__QUEUE_FULL));
  EXPECT_FALSE(is_error(full, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
  EXPECT_FALSE(
      is_error(core::Error{"queue_full", "not from librdkafka"}, RD_KAFKA_RESP_ERR__QUEUE_FULL));
}

TEST(KafkaConfTest, RejectsUnknownPropertyNamingIt) {
  auto conf = make_conf({{"linger.ms", "5"}, {"no.such.property", "1"}});
  ASSERT_FALSE(conf.has_value());
  EXPECT_EQ(conf.error().code, "kafka.bad_config");
  EXPECT_NE(conf.error().message.find("no.such.property"), std::string::npos);
}

TEST(KafkaConfTest, AppliesValidProperties) {
  auto conf = make_conf({{"linger.ms", "7"}, {"client.id", "segd-test"}});
  ASSERT_TRUE(conf.has_value()) << conf.error().message;
  char value[64];
  size_t size = sizeof value;
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "linger.ms", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "7");
}

TEST(JsonKeyTest, FindsTopLevelStringField) {
  EXPECT_EQ(
      top_level_string_field(R"({"event_id":"e-1","customer_id":"c42","ts":1})", "customer_id"),
      "c42");
  EXPECT_EQ(top_level_string_field(R"( { "customer_id" : "c 7" } )", "customer_id"), "c 7");
}

TEST(JsonKeyTest, SkipsNestedFieldsAndLookalikeValues) {
  const std::string line =
      R"({"items":[{"customer_id":"inner"}],"note":"\"customer_id\":\"fake\"",)"
      R"("meta":{"customer_id":"nested"},"customer_id":"outer"})";
  EXPECT_EQ(top_level_string_field(line, "customer_id"), "outer");
  EXPECT_EQ(top_level_string_field(R"({"customer_id_x":"a","x":"customer_id"})", "customer_id"),
            std::nullopt);
}

TEST(JsonKeyTest, DecodesEscapesInValue) {
  EXPECT_EQ(top_level_string_field(R"({"customer_id":"a\"b\\c\u00e9"})", "customer_id"),
            "a\"b\\c\xc3\xa9");
}

TEST(JsonKeyTest, MissingEmptyNonStringOrCutOffGivesNothing) {
  for (const char* line : {R"({"event_id":"e"})", R"({"customer_id":""})", R"({"customer_id":42})",
                           R"({"customer_id":"c4)", "", "not json", R"({"customer_id")"}) {
    EXPECT_EQ(top_level_string_field(line, "customer_id"), std::nullopt) << line;
  }
}

}  // namespace
}  // namespace segd::io::kafka
