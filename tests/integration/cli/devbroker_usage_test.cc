// segd-devbroker's flags: counts out of range are usage errors, not aborts.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

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

// The bootstrap file names a broker that serves: written once the control input is open too,
// removed when the broker exits. A review found it written before a control FIFO that could not be
// opened (exit 1, and the file named a broker already gone) and left behind after every exit.
TEST(DevbrokerUsageTest, TheBootstrapFileExistsOnlyWhileTheBrokerServes) {
  const TempDir dir("devbroker-bootstrap");
  const std::string bootstrap = dir.file("bootstrap");
  const Ran failed =
      run("segd-devbroker", {"--bootstrap-file", bootstrap, "--control", dir.file("no/fifo")});
  EXPECT_EQ(failed.code, 1) << failed.err;
  EXPECT_FALSE(std::filesystem::exists(bootstrap)) << "written for a broker that did not start";

  const Ran quit = run("segd-devbroker", {"--bootstrap-file", bootstrap, "--exit-on-eof"},
                       "# while this runs the file exists\nquit\n");
  EXPECT_EQ(quit.code, 0) << quit.err;
  EXPECT_FALSE(std::filesystem::exists(bootstrap)) << "left behind after a clean exit";

  // A rename that fails leaves no temporary file either.
  const std::string taken = dir.file("a-directory");
  std::filesystem::create_directory(taken);
  const Ran unwritable = run("segd-devbroker", {"--bootstrap-file", taken}, "quit\n");
  EXPECT_EQ(unwritable.code, 1) << unwritable.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("a-directory.tmp")) << entry.path();
  }
}

}  // namespace
}  // namespace segd::test
