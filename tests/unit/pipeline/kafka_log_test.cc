#include "io/pipeline/kafka_log.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

TEST(KafkaLogTest, SyslogLevelsMapToSegdLevels) {
  for (const int level : {0, 1, 2, 3}) {
    EXPECT_EQ(kafka_log_level(level, "FAIL", "x"), LogLevel::kError) << level;
  }
  EXPECT_EQ(kafka_log_level(4, "COMMITFAIL", "x"), LogLevel::kWarn);
  EXPECT_EQ(kafka_log_level(5, "x", "x"), LogLevel::kInfo);
  EXPECT_EQ(kafka_log_level(6, "x", "x"), LogLevel::kInfo);
  EXPECT_EQ(kafka_log_level(7, "x", "x"), LogLevel::kDebug);
}

// segd hands kafka.rdkafka to its consumer and its producers alike.
TEST(KafkaLogTest, PropertiesIgnoredByTheOtherClientTypeAreDebug) {
  EXPECT_EQ(kafka_log_level(4, "CONFWARN",
                            "[thrd:app]: Configuration property group.instance.id is a consumer "
                            "property and will be ignored by this producer instance"),
            LogLevel::kDebug);
  EXPECT_EQ(kafka_log_level(4, "CONFWARN",
                            "[thrd:app]: Configuration property linger.ms is a producer property "
                            "and will be ignored by this consumer instance"),
            LogLevel::kDebug);
  EXPECT_EQ(kafka_log_level(4, "CONFWARN",
                            "[thrd:app]: Configuration property queue.buffering.max.ms is "
                            "deprecated: use linger.ms"),
            LogLevel::kWarn);
}

TEST(KafkaLogTest, MessageNamesClientAndFacility) {
  EXPECT_EQ(kafka_log_message("rdkafka#consumer-3", "COMMITFAIL", "[thrd:main]: failed"),
            "rdkafka#consumer-3 COMMITFAIL: [thrd:main]: failed");
}

}  // namespace
}  // namespace segd::io
