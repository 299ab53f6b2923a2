// segd's command line and configuration errors as a user sees them (no broker needed).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/cli/cli_run.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

// Whether process `pid` has opened a file of its own onto its standard input (a descriptor
// other than 0 that links to the same object), polling for up to `timeout`.
bool opened_its_stdin(pid_t pid, std::chrono::milliseconds timeout) {
  namespace fs = std::filesystem;
  const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const fs::path stdin_target = fs::read_symlink(fds / "0", ec);
    for (const auto& entry : fs::directory_iterator(fds, ec)) {
      std::error_code link_ec;
      if (entry.path().filename() != "0" && !stdin_target.empty() &&
          fs::read_symlink(entry.path(), link_ec) == stdin_target) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(SegdConfigTest, UsageErrorsSayWhichProgram) {
  const Ran ran = run("segd", {"extra"});
  EXPECT_EQ(ran.code, 2);
  EXPECT_TRUE(ran.err.starts_with("segd: unexpected argument 'extra' (see --help)\n\nusage: segd"))
      << ran.err;
}

// segd's signal handlers come first in main: a SIGHUP (rules reload) that arrived while segd
// still read its configuration killed it, as SIGHUP's default action does.
TEST(SegdConfigTest, ASighupWhileTheConfigIsReadDoesNotKillSegd) {
  const TempDir dir("segd-early-sighup");
  auto segd =
      Process::spawn({.argv = {SEGD_BIN_DIR "/segd", "--config", "/dev/stdin", "--print-config"},
                      .stdin_mode = StdinMode::kPipe,
                      .stdout_mode = StdoutMode::kFile,
                      .stdout_path = dir.file("out"),
                      .stderr_path = dir.file("err")});
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  // Reading the config from the pipe, which has nothing in it yet.
  ASSERT_TRUE(opened_its_stdin(segd->pid(), std::chrono::seconds(10)));
  segd->kill(SIGHUP);
  ASSERT_TRUE(segd->write_stdin("kafka:\n  group_id: early-signal\n").has_value());
  segd->close_stdin();
  auto code = segd->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value()) << "segd did not end";
  EXPECT_EQ(*code, 0) << read_text(dir.file("err"));
  EXPECT_NE(read_text(dir.file("out")).find("group_id: early-signal"), std::string::npos)
      << read_text(dir.file("out"));
}

// A named FIFO as --config was opened without waiting for its writer and read as empty: segd ran
// on the built-in defaults. Its open waits for the writer now, as `cat` does, and a SIGTERM then
// ends segd as by default (nothing is open yet).
TEST(SegdConfigTest, ANamedFifoConfigIsReadOnceItsWriterComes) {
  const TempDir dir("segd-config-fifo");
  const std::string fifo = dir.file("config.yaml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = [&](const std::string& name) {
    return Process::spawn({.argv = {SEGD_BIN_DIR "/segd", "--config", fifo, "--print-config"},
                           .stdout_mode = StdoutMode::kFile,
                           .stdout_path = dir.file(name + ".out"),
                           .stderr_path = dir.file(name + ".err")});
  };
  auto segd = start("late-writer");
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // segd waits for the writer.
  {
    std::ofstream writer(fifo);
    writer << "kafka:\n  group_id: from-the-fifo\n";
  }
  auto code = segd->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << read_text(dir.file("late-writer.err"));
  EXPECT_NE(read_text(dir.file("late-writer.out")).find("group_id: from-the-fifo"),
            std::string::npos)
      << read_text(dir.file("late-writer.out"));

  auto waiting = start("no-writer");
  ASSERT_TRUE(waiting.has_value()) << waiting.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  waiting->kill(SIGTERM);
  auto stopped = waiting->wait(std::chrono::seconds(30));
  ASSERT_TRUE(stopped.has_value()) << "a SIGTERM did not end segd waiting for its config";
  EXPECT_EQ(*stopped, 128 + SIGTERM);
}

TEST(SegdConfigTest, UsageLineShowsExitAtEnd) {
  const Ran ran = run("segd", {"--help"});
  EXPECT_EQ(ran.code, 0);
  EXPECT_TRUE(ran.out.starts_with(
      "usage: segd [--config FILE] [--print-config] [--exit-at-end] [--<section.key> VALUE ...]\n"))
      << ran.out;
}

TEST(SegdConfigTest, PrintConfigRefusesPropertiesLibrdkafkaRefuses) {
  // --print-config printed them; the daemon then failed with `kafka.bad_config: foo=bar: No such
  // configuration property`, naming neither the key nor where it came from.
  const Ran unknown = run("segd", {"--kafka.rdkafka.foo=bar", "--print-config"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err,
            "segd: invalid configuration:\nkafka.rdkafka.foo: No such configuration property: "
            "\"foo\" (from --kafka.rdkafka.foo)\n");
  EXPECT_EQ(unknown.out, "");
  const Ran poll = run("segd", {"--kafka.rdkafka.max.poll.interval.ms=10000",
                                "--kafka.session_timeout_ms", "30000", "--print-config"});
  EXPECT_EQ(poll.code, 2);
  EXPECT_NE(poll.err.find("kafka.rdkafka.max.poll.interval.ms: "), std::string::npos) << poll.err;
  EXPECT_NE(poll.err.find("kafka.session_timeout_ms from --kafka.session_timeout_ms"),
            std::string::npos)
      << poll.err;
}

TEST(SegdConfigTest, MissingRulesFileNamesTheKeyAndItsSource) {
  // It was `rules_file: /nonexistent.yaml: cannot open: ...`, after creating the state dir.
  const TempDir dir("cli-segd-rules");
  const std::string rules = dir.file("nonexistent.yaml");
  const Ran ran = run("segd", {"--rules.file", rules, "--state.dir", dir.file("state"),
                               "--kafka.brokers", "127.0.0.1:1", "--admin.listen", "127.0.0.1:0"});
  EXPECT_EQ(ran.code, 2);
  EXPECT_EQ(ran.err, "segd: invalid configuration:\nrules.file: " + rules +
                         ": cannot open: No such file or directory (from --rules.file)\n");
  EXPECT_FALSE(std::filesystem::exists(dir.file("state")));
  const Ran from_env = run("segd", {"--state.dir", dir.file("state")}, {}, {},
                           {{"SEGD_RULES_FILE", dir.path().string()}});
  EXPECT_EQ(from_env.code, 2);
  EXPECT_EQ(from_env.err, "segd: invalid configuration:\nrules.file: " + dir.path().string() +
                              ": is a directory (from SEGD_RULES_FILE)\n");
}

TEST(SegdConfigTest, AConflictNamesTheSourceOfTheKeyTheUserSet) {
  // `kafka.output_topic: must differ from the input topics, got 'segment-changes'`, without a
  // source: the output topic was the default, the input topics came from the environment.
  const Ran ran =
      run("segd", {"--print-config"}, {}, {}, {{"SEGD_KAFKA_INPUT_TOPICS", "segment-changes"}});
  EXPECT_EQ(ran.code, 2);
  EXPECT_EQ(ran.err,
            "segd: invalid configuration:\nkafka.output_topic: must differ from the input topics, "
            "got 'segment-changes' (kafka.input_topics from SEGD_KAFKA_INPUT_TOPICS)\n");
}

}  // namespace
}  // namespace segd::test
