// segd-devbroker's flags: counts out of range are usage errors, not aborts.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/cli/cli_run.h"
#include "support/process.h"
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

// Flags a review found taken as they came: a forgotten value swallowed the next flag (and made a
// file named "--exit-on-eof"), empty paths meant "not given", a topic given twice failed only at
// startup (exit 1), names Kafka refuses were accepted, and --exit-on-eof did nothing with
// --control.
TEST(DevbrokerUsageTest, BadFlagValuesAreUsageErrors) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bootstrap-file", "--exit-on-eof"},
       "--bootstrap-file: needs a value, got the flag '--exit-on-eof'"},
      {{"--control", ""}, "--control: needs a value"},
      {{"--bootstrap-file"}, "--bootstrap-file: needs a value"},
      {{"--topic", "x:3", "--topic", "x:5"}, "--topic: x is given twice"},
      {{"--topic", "a:b:3"},
       "--topic: NAME must be 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..), got 'a:b'"},
      {{"--topic", "foo bar:3"},
       "--topic: NAME must be 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..), got 'foo bar'"},
      {{"--exit-on-eof", "--control", "/tmp/x"},
       "--exit-on-eof applies to commands on stdin, not with --control"},
      {{"--frob", "1"}, "unknown flag: --frob"}};
  for (const auto& [args, message] : cases) {
    const Ran ran = run("segd-devbroker", args, "quit\n");
    EXPECT_EQ(ran.code, 2) << message;
    EXPECT_TRUE(ran.err.starts_with("segd-devbroker: " + message + "\nusage: segd-devbroker"))
        << ran.err;
  }
}

// A last command without its newline was dropped unanswered, and a line without any newline was
// buffered without bound.
TEST(DevbrokerUsageTest, EveryControlLineIsAnswered) {
  const Ran unterminated = run("segd-devbroker", {"--exit-on-eof"}, "# note\nfrobnicate");
  EXPECT_EQ(unterminated.code, 0) << unterminated.err;
  EXPECT_EQ(unterminated.out, "ok\nerror: unknown command: frobnicate\n");
  const Ran long_line =
      run("segd-devbroker", {"--exit-on-eof"}, std::string(100000, 'a') + "\nquit\n");
  EXPECT_EQ(long_line.code, 0) << long_line.err;
  EXPECT_EQ(long_line.out, "error: line longer than 65536 bytes\nok\n");
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

// A broker started with its bootstrap file and commands on a stdin pipe, once it serves.
core::Result<Process> start_broker(const std::string& bootstrap) {
  auto broker = Process::spawn(
      {.argv = {SEGD_BIN_DIR "/segd-devbroker", "--brokers", "2", "--bootstrap-file", bootstrap},
       .stdin_mode = StdinMode::kPipe,
       .stderr_path = bootstrap + ".log"});
  for (int i = 0; broker && i < 1000 && !std::filesystem::exists(bootstrap); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (broker && !std::filesystem::exists(bootstrap)) {
    return core::fail("timeout", "no bootstrap file");
  }
  return broker;
}

// Lines no command holds were run as they came: `leader` created any topic name (one over 32767
// bytes broke every later Metadata response), `quit now please` quit, a NUL cut the echo of the
// line, and a line over 64 KiB was run when its newline came in the same read.
TEST(DevbrokerUsageTest, LinesThatNoCommandHoldsAreRefused) {
  const std::string long_line = "request-errors Produce " + std::string(65600, '6');
  const Ran ran = run("segd-devbroker", {"--exit-on-eof"},
                      "leader bad/name 0 1\nleader " + std::string(40000, 'x') +
                          " 0 1\nleader good.name 0 1\nquit now\n" + std::string("rtt 1\0 5\n", 9) +
                          "rtt 1 \x1b[31m\n" + long_line + "\nquit\n");
  EXPECT_EQ(ran.code, 0) << ran.err;
  const std::string bad_topic =
      "error: TOPIC must be 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..)\n";
  EXPECT_EQ(ran.out, bad_topic + bad_topic +
                         "ok\n"
                         "error: usage: quit\n"
                         "error: control character 0x00 in the line\n"
                         "error: control character 0x1b in the line\n"
                         "error: line longer than 65536 bytes\n"
                         "ok\n");
}

// The broker ran every command it had read before it looked at a pending SIGTERM again: 300
// commands in one write kept it running for about 90 s, as librdkafka's mock thread also saw a
// command sent right after another only at its next 1 s poll.
TEST(DevbrokerUsageTest, ASignalEndsTheBrokerBetweenCommands) {
  const TempDir dir("devbroker-signal");
  auto broker = start_broker(dir.file("bootstrap"));
  ASSERT_TRUE(broker.has_value()) << broker.error().message;
  std::string commands;
  for (int i = 0; i < 300; ++i) {
    commands += "broker-down 1\nbroker-up 1\n";
  }
  ASSERT_TRUE(broker->write_stdin(commands).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  broker->kill(SIGTERM);
  const auto code = broker->wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value()) << "still running 20 s after SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("bootstrap")));
}

// SIGHUP (a closed terminal) killed the broker and left its bootstrap file behind; a file left
// by a killed broker was served to the next start's readers until that one listened.
TEST(DevbrokerUsageTest, NoBootstrapFileOutlivesItsBroker) {
  const TempDir dir("devbroker-stale");
  const std::string bootstrap = dir.file("bootstrap");
  auto broker = start_broker(bootstrap);
  ASSERT_TRUE(broker.has_value()) << broker.error().message;
  broker->kill(SIGHUP);
  const auto code = broker->wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_FALSE(std::filesystem::exists(bootstrap)) << "left behind after SIGHUP";

  // A start that fails (no such control FIFO) removes the dead broker's file all the same.
  {
    std::ofstream stale(bootstrap);
    stale << "127.0.0.1:1\n";
  }
  const Ran failed =
      run("segd-devbroker", {"--bootstrap-file", bootstrap, "--control", dir.file("no/fifo")});
  EXPECT_EQ(failed.code, 1) << failed.err;
  EXPECT_FALSE(std::filesystem::exists(bootstrap)) << "a dead broker's address was kept";
}

}  // namespace
}  // namespace segd::test
