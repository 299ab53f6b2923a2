// segd-devbroker's flags: counts out of range are usage errors, not aborts.
#include <gtest/gtest.h>

#include "integration/cli/cli_run.h"

namespace segd::test {
namespace {

TEST(DevbrokerUsageTest, CountsOutOfRangeAreUsageErrors) {
  // a:2147483647 aborted in librdkafka's mock (rd_calloc assertion); a:100000000 took 23 GB;
  // 50000 brokers did not start within a minute.
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--topic", "a:2147483647"},
       "--topic: PARTITIONS: expected an integer from 1 to 10000, got '2147483647'"},
      {{"--topic", "a:10001"},
       "--topic: PARTITIONS: expected an integer from 1 to 10000, got '10001'"},
      {{"--topic", "a:0"}, "--topic: PARTITIONS: expected an integer from 1 to 10000, got '0'"},
      {{"--brokers", "101"}, "--brokers: expected an integer from 1 to 100, got '101'"},
      {{"--brokers", "2147483648"},
       "--brokers: expected an integer from 1 to 100, got '2147483648'"}};
  for (const auto& [args, message] : cases) {
    // "quit" ends a broker that did start.
    const Ran ran = run("segd-devbroker", args, "quit\n");
    EXPECT_EQ(ran.code, 2) << message;
    EXPECT_TRUE(ran.err.starts_with("segd-devbroker: " + message + "\nusage: segd-devbroker"))
        << ran.err;
  }
  const Ran largest = run("segd-devbroker", {"--brokers", "100", "--topic", "a:10000"}, "quit\n");
  EXPECT_EQ(largest.code, 0) << largest.err;
}

}  // namespace
}  // namespace segd::test
