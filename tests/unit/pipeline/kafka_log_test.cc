#include "io/pipeline/kafka_log.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

TEST(KafkaLogTest, SyslogLevelsMapToSegdLevels) {
  for (const int level : {0, 1, 2, 3}) {
    EXPECT_EQ(kafka_log_level(level), LogLevel::kError) << level;
  }
  EXPECT_EQ(kafka_log_level(4), LogLevel::kWarn);
  EXPECT_EQ(kafka_log_level(5), LogLevel::kInfo);
  EXPECT_EQ(kafka_log_level(6), LogLevel::kInfo);
  EXPECT_EQ(kafka_log_level(7), LogLevel::kDebug);
}

TEST(KafkaLogTest, MessageNamesClientAndFacility) {
  EXPECT_EQ(kafka_log_message("rdkafka#consumer-3", "COMMITFAIL", "[thrd:main]: failed"),
            "rdkafka#consumer-3 COMMITFAIL: [thrd:main]: failed");
}

}  // namespace
}  // namespace segd::io
