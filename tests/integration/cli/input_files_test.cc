// A directory where segd or segctl expects a file is an error naming it, not an empty file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "integration/cli/cli_run.h"
#include "support/devbroker.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

bool mentions(const Ran& ran, const std::string& text) {
  return ran.err.find(text) != std::string::npos;
}

TEST(InputFilesTest, SegdConfigThatIsADirectoryFails) {
  const TempDir dir("cli-config");
  const Ran ran = run("segd", {"--config", dir.path().string(), "--print-config"});
  EXPECT_EQ(ran.code, 2);
  EXPECT_TRUE(mentions(ran, "segd: --config: " + dir.path().string() + ": is a directory"))
      << ran.err;
  EXPECT_EQ(ran.out, "");
}

TEST(InputFilesTest, ProduceInputThatIsADirectoryFails) {
  const TempDir dir("cli-produce");
  const Ran ran = run("segctl", {"produce", "--brokers", "127.0.0.1:1", "--topic", "t", "--input",
                                 dir.path().string()});
  EXPECT_EQ(ran.code, 1);
  EXPECT_TRUE(mentions(ran, "--input: " + dir.path().string() + ": is a directory")) << ran.err;
}

// Lines are read in bounded memory: an input without line breaks (here endless) was read whole
// into one string, until the allocator gave up and segctl aborted.
TEST(InputFilesTest, ProduceStopsAtAnEndlessLineInsteadOfReadingItWhole) {
  const Ran ran = run(
      "segctl", {"produce", "--brokers", "127.0.0.1:1", "--topic", "t", "--input", "/dev/zero"});
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_TRUE(mentions(ran,
                       "1 produced, 0 delivered, 1 failed: line 1 is longer than 1 GiB: not "
                       "JSONL text\nsegctl produce: stopped after line 1 of the input"))
      << ran.err;
}

// Ctrl-C or SIGTERM killed segctl produce at once: whatever librdkafka had queued was lost and
// nothing said which lines had been delivered.
TEST(InputFilesTest, ProduceStoppedByASignalFlushesAndSaysWhereToResume) {
  auto broker = DevBroker::start({.binary = SEGD_BIN_DIR "/segd-devbroker", .topics = {"t:3"}});
  ASSERT_TRUE(broker.has_value()) << broker.error().message;
  const TempDir dir("cli-produce-signal");
  for (const int signal_number : {SIGINT, SIGTERM}) {
    const std::string err = dir.file("err-" + std::to_string(signal_number));
    auto produce = Process::spawn({.argv = {SEGD_BIN_DIR "/segctl", "produce", "--brokers",
                                            broker->bootstrap(), "--topic", "t"},
                                   .stdin_mode = StdinMode::kPipe,
                                   .stderr_path = err});
    ASSERT_TRUE(produce.has_value()) << produce.error().message;
    std::string lines;
    for (int i = 0; i < 50; ++i) {
      lines += R"({"event_id":"e)" + std::to_string(i) +
               R"(","type":"page_view","customer_id":"c)" + std::to_string(i % 7) +
               R"(","ts":"2026-01-01T00:00:00Z"})" + "\n";
    }
    ASSERT_TRUE(produce->write_stdin(lines).has_value());
    // The input stays open: segctl is waiting for more when the signal comes.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    produce->kill(signal_number);
    const auto code = produce->wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 128 + signal_number);
    std::ifstream in(err);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(
        text.find("segctl produce: 50 produced, 50 delivered, 0 failed\n"
                  "segctl produce: " +
                  std::string(strsignal(signal_number)) + ": stopped after line 50 of the input"),
        std::string::npos)
        << text;
  }
}

TEST(InputFilesTest, RulesFileThatIsADirectoryFails) {
  const TempDir dir("cli-rules");
  const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", dir.file("state"),
                                 "--rules", dir.path().string()});
  EXPECT_EQ(ran.code, 1);
  EXPECT_TRUE(mentions(ran, "rules_file: " + dir.path().string() + ": is a directory")) << ran.err;
}

TEST(InputFilesTest, AReadErrorOnStandardInputIsAnErrorNotItsEnd) {
  // A directory as standard input fails every read (EISDIR): replay and produce took that for an
  // empty input, and replay exited 0 with nothing read.
  const TempDir dir("cli-stdin-error");
  const Ran replayed = run_reading(
      "segctl", {"replay", "--input", "-", "--state-dir", dir.file("state")}, dir.path().string());
  EXPECT_EQ(replayed.code, 1);
  EXPECT_EQ(replayed.err, "segctl: io_error: standard input: read error after 0 lines\n");
  const Ran produced =
      run_reading("segctl", {"produce", "--brokers", "127.0.0.1:1", "--topic", "t", "--input", "-"},
                  dir.path().string());
  EXPECT_EQ(produced.code, 1);
  EXPECT_TRUE(mentions(produced,
                       "segctl produce: io_error: --input: standard input: read error "
                       "after line 0"))
      << produced.err;
}

TEST(InputFilesTest, ReplayReadsANamedPipeWhoseWriterIsWaiting) {
  // The input checks opened and closed the FIFO twice before reading it: the writer lost its only
  // reader (SIGPIPE, or its data gone), and the replay then waited for a writer forever.
  const TempDir dir("cli-fifo");
  const Ran events = run("segctl", {"gen", "--customers", "20", "--events", "200", "--seed", "1"});
  ASSERT_EQ(events.code, 0) << events.err;
  const std::string fifo = dir.file("events.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::signal(SIGPIPE, SIG_IGN);  // A lost reader fails the write instead of ending the test.
  bool written = false;
  std::thread writer([&] {
    std::ofstream out(fifo);  // Waits for the replay to open it.
    out << events.out;
    out.flush();
    written = static_cast<bool>(out);
  });
  const Ran ran = run("segctl", {"replay", "--input", fifo, "--state-dir", dir.file("state"),
                                 "--output", dir.file("changes.jsonl")});
  writer.join();
  EXPECT_TRUE(written);
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_TRUE(mentions(ran, "\"read\":200,")) << ran.err;
}

}  // namespace
}  // namespace segd::test
