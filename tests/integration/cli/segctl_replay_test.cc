// segctl replay's checks of its files: nothing is written over an input or truncated before
// the inputs are known to open.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "integration/cli/cli_run.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

class SegctlReplayFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Ran gen = run("segctl", {"gen", "--customers", "50", "--events", "2000", "--seed", "3",
                                   "--output", events_});
    ASSERT_EQ(gen.code, 0) << gen.err;
    original_ = read_text(events_);
    ASSERT_FALSE(original_.empty());
  }

  Ran replay(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"replay", "--state-dir", state_dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    return run("segctl", args);
  }

  const TempDir dir_{"cli-replay"};
  const std::string events_ = dir_.file("ev.jsonl");
  const std::string state_dir_ = dir_.file("state");
  const std::string rules_ = source_file("config/segments.yaml");
  std::string original_;
};

TEST_F(SegctlReplayFilesTest, RefusesOutputThatIsItsInput) {
  const Ran ran = replay({"--input", events_, "--output", events_});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(
      ran.err.find("--output: '" + events_ + "' is the same file as --input '" + events_ + "'"),
      std::string::npos)
      << ran.err;
  EXPECT_EQ(read_text(events_), original_);
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

TEST_F(SegctlReplayFilesTest, RefusesDeadLetterThatIsItsInput) {
  const Ran ran =
      replay({"--input", events_, "--output", dir_.file("out.jsonl"), "--dead-letter", events_});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(ran.err.find("--dead-letter: '" + events_ + "' is the same file as --input"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(read_text(events_), original_);
}

TEST_F(SegctlReplayFilesTest, RefusesOutputSymlinkedToItsInput) {
  const std::string link = dir_.file("link.jsonl");
  std::filesystem::create_symlink(events_, link);
  const Ran ran = replay({"--input", events_, "--output", link});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(ran.err.find("is the same file as --input"), std::string::npos) << ran.err;
  EXPECT_EQ(read_text(events_), original_);
}

TEST_F(SegctlReplayFilesTest, RefusesOneFileForOutputAndDeadLetter) {
  const std::string out = dir_.file("out.jsonl");
  const Ran ran = replay({"--input", events_, "--output", out, "--dead-letter", out});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(ran.err.find("--dead-letter: '" + out + "' is the same file as --output '" + out + "'"),
            std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// With standard output redirected to a file, `--dead-letter /dev/stdout` opened it again at
// its start: dead letters were written over the segment changes.
TEST_F(SegctlReplayFilesTest, RefusesTheStandardOutputFileAsTheDeadLetterFile) {
  const Ran ran =
      run("segctl",
          {"replay", "--state-dir", state_dir_, "--input", events_, "--dead-letter", "/dev/stdout"},
          {}, dir_.file("stdout.jsonl"));
  EXPECT_EQ(ran.code, 2);
  EXPECT_EQ(ran.err,
            "segctl: bad_option: --dead-letter: '/dev/stdout' is the same file as --output '-' "
            "(standard output)\n");
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

// With standard output on a pipe, `--dead-letter -` (or /dev/stdout for both) was accepted: the
// changes and the dead letters went into one stream, mixed (an audit of README's "the same file
// as the other output is refused"). Only a regular file was compared.
TEST_F(SegctlReplayFilesTest, RefusesBothOutputsIntoTheStandardOutputPipe) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--dead-letter", "-"},
       "--dead-letter: '-' (standard output) is the same file as --output '-' (standard output)"},
      {{"--output", "/dev/stdout", "--dead-letter", "/dev/stdout"},
       "--dead-letter: '/dev/stdout' is the same file as --output '/dev/stdout'"}};
  int run_number = 0;
  for (const auto& [flags, message] : cases) {
    const std::string stderr_path = dir_.file("stderr" + std::to_string(++run_number) + ".txt");
    ProcessOptions options;
    options.argv = {
        SEGD_BIN_DIR "/segctl", "replay", "--state-dir", state_dir_, "--input", events_};
    options.argv.insert(options.argv.end(), flags.begin(), flags.end());
    options.stderr_path = stderr_path;
    auto process = Process::spawn(options);
    ASSERT_TRUE(process) << process.error().message;
    const auto line = process->read_line(std::chrono::seconds(60));
    EXPECT_FALSE(line) << "wrote to the pipe: " << *line;
    EXPECT_EQ(process->wait(std::chrono::seconds(60)).value_or(-1), 2) << message;
    EXPECT_EQ(read_text(stderr_path), "segctl: bad_option: " + message + "\n");
    EXPECT_FALSE(std::filesystem::exists(state_dir_));
  }
  // Two devices stay allowed: /dev/null for both outputs.
  const Ran null =
      replay({"--input", events_, "--output", "/dev/null", "--dead-letter", "/dev/null"});
  EXPECT_EQ(null.code, 0) << null.err;
}

// `--output myrules.yaml` with the same --rules replaced the rules with segment changes.
TEST_F(SegctlReplayFilesTest, RefusesOutputThatIsTheRulesFile) {
  const std::string rules = dir_.file("myrules.yaml");
  const std::string text = read_text(rules_);
  ASSERT_TRUE(write_text(rules, text).has_value());
  for (const std::string flag : {"--output", "--dead-letter"}) {
    const Ran ran = replay({"--input", events_, "--rules", rules, flag, rules});
    EXPECT_EQ(ran.code, 2) << flag;
    EXPECT_NE(ran.err.find(flag + ": '" + rules + "' is the same file as --rules '" + rules + "'"),
              std::string::npos)
        << ran.err;
  }
  EXPECT_EQ(read_text(rules), text);
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

// `--output STATE/CURRENT` emptied RocksDB's CURRENT (on a fresh state dir: the replay created
// the database, then opened its output).
TEST_F(SegctlReplayFilesTest, RefusesOutputInsideTheStateDir) {
  const std::string current = state_dir_ + "/CURRENT";
  const Ran fresh = replay({"--input", events_, "--output", current});
  EXPECT_EQ(fresh.code, 2);
  EXPECT_NE(fresh.err.find("--output: '" + current + "' is inside --state-dir '" + state_dir_ +
                           "', which RocksDB owns"),
            std::string::npos)
      << fresh.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir_));

  ASSERT_EQ(replay({"--input", events_, "--output", dir_.file("out.jsonl")}).code, 0);
  const std::string before = read_text(current);
  const std::string link = dir_.file("link");
  std::filesystem::create_symlink(current, link);
  for (const std::string& path : {current, state_dir_ + "/sub/../LOG", link}) {
    const Ran ran =
        replay({"--input", events_, "--output", dir_.file("out.jsonl"), "--dead-letter", path});
    EXPECT_EQ(ran.code, 2) << path;
    EXPECT_NE(ran.err.find("--dead-letter: '" + path + "' is inside --state-dir"),
              std::string::npos)
        << ran.err;
  }
  EXPECT_EQ(read_text(current), before);
  EXPECT_EQ(run("segctl", {"export", "--state-dir", state_dir_}).code, 0);
}

// A symlink to a file not there yet names where a write creates it: one into a state dir that
// the replay was about to create put the segment changes among RocksDB's files, exit 0.
TEST_F(SegctlReplayFilesTest, RefusesADanglingSymlinkIntoTheStateDir) {
  const std::string link = dir_.file("dangling.jsonl");
  std::filesystem::create_symlink("state/out.jsonl", link);
  const Ran ran = replay({"--input", events_, "--rules", rules_, "--output", link});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(ran.err.find("--output: '" + link + "' is inside --state-dir '" + state_dir_ + "'"),
            std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
  // Two outputs through links to one missing file would interleave there.
  const std::string other = dir_.file("other.jsonl");
  std::filesystem::create_symlink("missing.jsonl", other);
  const Ran both =
      replay({"--input", events_, "--output", other, "--dead-letter", dir_.file("missing.jsonl")});
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("is the same file as --output '" + other + "'"), std::string::npos)
      << both.err;
}

TEST_F(SegctlReplayFilesTest, DevNullForBothOutputsIsFine) {
  const Ran ran =
      replay({"--input", events_, "--output", "/dev/null", "--dead-letter", "/dev/null"});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_EQ(read_text(events_), original_);
}

TEST_F(SegctlReplayFilesTest, MissingInputLeavesTheOutputAlone) {
  const std::string precious = dir_.file("precious.txt");
  ASSERT_TRUE(write_text(precious, "keep me\n").has_value());
  const Ran ran = replay({"--input", dir_.file("nope.jsonl"), "--output", precious});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("--input: " + dir_.file("nope.jsonl") + ": cannot open"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(read_text(precious), "keep me\n");
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

// The output was emptied, and the state dir created, before the dead-letter file failed to open.
TEST_F(SegctlReplayFilesTest, AnOutputThatCannotBeOpenedLeavesTheOtherAndTheStateDirAlone) {
  const std::string precious = dir_.file("precious.txt");
  ASSERT_TRUE(write_text(precious, "keep me\n").has_value());
  const std::string nowhere = dir_.file("no-such-dir/dl.jsonl");
  Ran ran = replay({"--input", events_, "--output", precious, "--dead-letter", nowhere});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("--dead-letter: " + nowhere + ": cannot open"), std::string::npos)
      << ran.err;
  ran = replay({"--input", events_, "--output", dir_.path().string(), "--dead-letter", precious});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("--output: " + dir_.path().string() + ": is a directory"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(read_text(precious), "keep me\n");
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

TEST_F(SegctlReplayFilesTest, ResumingWithFewerLinesThanReplayedWarns) {
  // It exited 0 with "read":0 and nothing else to say.
  ASSERT_EQ(replay({"--input", events_, "--output", "/dev/null"}).code, 0);
  const std::string head = dir_.file("head.jsonl");
  ASSERT_TRUE(write_text(head, original_.substr(0, original_.find('\n') + 1)).has_value());
  const Ran ran = replay({"--input", head, "--output", "/dev/null"});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.err.find("segctl: warning: the inputs hold 1 lines, fewer than the 2000 this "
                         "state dir has replayed already"),
            std::string::npos)
      << ran.err;
  const Ran again = replay({"--input", events_, "--output", "/dev/null"});
  EXPECT_EQ(again.err.find("warning"), std::string::npos) << again.err;
}

// The shorter run stored its own line count as the position, so the next run of the whole
// input read 1999 lines again (events without an event_id applied twice, dead letters written
// twice).
TEST_F(SegctlReplayFilesTest, ResumingWithFewerLinesKeepsThePosition) {
  ASSERT_EQ(replay({"--input", events_, "--output", "/dev/null"}).code, 0);
  const std::string head = dir_.file("head.jsonl");
  ASSERT_TRUE(write_text(head, original_.substr(0, original_.find('\n') + 1)).has_value());
  const std::string empty = dir_.file("empty.jsonl");
  ASSERT_TRUE(write_text(empty, "").has_value());
  for (const std::string& shorter : {head, empty}) {
    ASSERT_EQ(replay({"--input", shorter, "--output", "/dev/null"}).code, 0);
    const Ran again = replay({"--input", events_, "--output", "/dev/null"});
    EXPECT_EQ(again.code, 0) << again.err;
    EXPECT_NE(again.err.find("{\"read\":0,\"skipped\":2000,"), std::string::npos)
        << shorter << ": " << again.err;
  }
}

// A line was read whole, whatever its length: a 200 MB line took 2.9 GB (the line, its
// dead letter with U+FFFD and base64) and a newline-free file could exhaust memory. Now it keeps
// the decoder's 64 KiB, and the dead letter says how long the line was.
TEST_F(SegctlReplayFilesTest, ALongLineIsDeadLetteredFromItsStart) {
  const std::string first = original_.substr(0, original_.find('\n') + 1);
  const std::string input = dir_.file("long.jsonl");
  const std::string dead = dir_.file("dead.jsonl");
  ASSERT_TRUE(write_text(input, first + std::string(200'000, 'x') + "\r\n" + first).has_value());
  const Ran ran = replay({"--input", input, "--output", "/dev/null", "--dead-letter", dead});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.err.find("{\"read\":3,\"skipped\":0,\"processed\":1,\"duplicates\":1,"
                         "\"dead_lettered\":1,"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(read_text(dead),
            "{\"reason\":\"too_large\",\"message\":\"payload is 200000 bytes, "
            "the limit is 65536\",\"source\":\"replay\",\"offset\":1,"
            "\"payload\":\"" +
                std::string(65536, 'x') + "\",\"payload_truncated_from\":200000}\n");
}

TEST_F(SegctlReplayFilesTest, StandardInputIsOneInputOnly) {
  const Ran ran = replay({"--input", "-", "--input", events_, "--input", "-"});
  EXPECT_EQ(ran.code, 2);
  EXPECT_NE(ran.err.find("--input: '-' (standard input) given more than once"), std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
}

TEST_F(SegctlReplayFilesTest, OutputsMayBePipes) {
  // `--output /dev/stdout` into a pipe failed: "cannot truncate: Invalid argument".
  const std::string out = dir_.file("piped.jsonl");
  const std::string command = "bash -c 'set -o pipefail; " + std::string(SEGD_BIN_DIR) +
                              "/segctl replay --input " + events_ + " --state-dir " + state_dir_ +
                              " --rules " + rules_ + " --output /dev/stdout 2>" +
                              dir_.file("err.txt") + " | cat >" + out + "'";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(dir_.file("err.txt"));
  EXPECT_NE(read_text(out).find("\"change\":\"enter\""), std::string::npos);
}

// The state dir was created, and the outputs opened, before the rules were read.
TEST_F(SegctlReplayFilesTest, MissingRulesFileLeavesTheStateDirAlone) {
  const std::string precious = dir_.file("precious.txt");
  ASSERT_TRUE(write_text(precious, "keep me\n").has_value());
  const std::string rules = dir_.file("nope.yaml");
  const Ran ran = replay({"--input", events_, "--rules", rules, "--output", precious});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find(rules), std::string::npos) << ran.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
  EXPECT_EQ(read_text(precious), "keep me\n");
}

TEST_F(SegctlReplayFilesTest, DirectoryAsInputFails) {
  const Ran ran = replay({"--input", dir_.path().string(), "--output", dir_.file("out.jsonl")});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("--input: " + dir_.path().string() + ": is a directory"),
            std::string::npos)
      << ran.err;
}

// The state dir committed a length of o1.jsonl; a resume with another file cut that one to it
// (exit 0) and appended to what was left.
TEST_F(SegctlReplayFilesTest, ResumeWithAnotherOutputIsRefused) {
  const std::string first = dir_.file("o1.jsonl");
  const Ran ran = replay({"--input", events_, "--output", first, "--rules", rules_});
  ASSERT_EQ(ran.code, 0) << ran.err;
  const std::string unrelated = dir_.file("unrelated.txt");
  ASSERT_TRUE(write_text(unrelated, std::string(200000, 'x')).has_value());
  const Ran resumed = replay({"--input", events_, "--output", unrelated, "--rules", rules_});
  EXPECT_EQ(resumed.code, 2);
  EXPECT_NE(resumed.err.find("--output: the state dir's replay wrote '" + first + "', not '" +
                             unrelated + "'"),
            std::string::npos)
      << resumed.err;
  EXPECT_EQ(read_text(unrelated), std::string(200000, 'x'));
}

TEST_F(SegctlReplayFilesTest, ResumeWithAnotherDeadLetterFileIsRefused) {
  const std::string out = dir_.file("out.jsonl");
  const std::string dead = dir_.file("dead.jsonl");
  ASSERT_EQ(replay({"--input", events_, "--output", out, "--dead-letter", dead}).code, 0);
  const std::string other = dir_.file("other.jsonl");
  ASSERT_TRUE(write_text(other, "keep me\n").has_value());
  for (const std::vector<std::string>& dead_letter :
       {std::vector<std::string>{"--dead-letter", other}, std::vector<std::string>{}}) {
    std::vector<std::string> args = {"--input", events_, "--output", out};
    args.insert(args.end(), dead_letter.begin(), dead_letter.end());
    const Ran resumed = replay(args);
    EXPECT_EQ(resumed.code, 2);
    EXPECT_NE(resumed.err.find("--dead-letter: the state dir's replay wrote '" + dead + "', not " +
                               (dead_letter.empty() ? "none" : "'" + other + "'")),
              std::string::npos)
        << resumed.err;
  }
  EXPECT_EQ(read_text(other), "keep me\n");
}

// A file shorter than its committed length was changed since: continuing it would append to
// what someone else left there.
TEST_F(SegctlReplayFilesTest, ResumeWithAShortenedOutputIsRefused) {
  const std::string out = dir_.file("out.jsonl");
  ASSERT_EQ(replay({"--input", events_, "--output", out, "--rules", rules_}).code, 0);
  const std::string written = read_text(out);
  ASSERT_GT(written.size(), 10U);
  ASSERT_TRUE(write_text(out, "short\n").has_value());
  const Ran resumed = replay({"--input", events_, "--output", out, "--rules", rules_});
  EXPECT_EQ(resumed.code, 1);
  EXPECT_NE(resumed.err.find("--output: '" + out + "' has 6 bytes, fewer than the " +
                             std::to_string(written.size()) + " bytes the state dir committed"),
            std::string::npos)
      << resumed.err;
  EXPECT_EQ(read_text(out), "short\n");
}

TEST_F(SegctlReplayFilesTest, ResumeWithTheSameOutputSpelledOtherwiseContinues) {
  const std::string out = dir_.file("out.jsonl");
  ASSERT_EQ(replay({"--input", events_, "--output", out, "--rules", rules_}).code, 0);
  const std::string written = read_text(out);
  const std::string respelled = (dir_.path() / "sub" / ".." / "out.jsonl").string();
  std::filesystem::create_directory(dir_.path() / "sub");
  const Ran resumed = replay({"--input", events_, "--output", respelled, "--rules", rules_});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("\"skipped\":2000"), std::string::npos) << resumed.err;
  EXPECT_EQ(read_text(out), written);
}

// Standard output cannot be cut back: a resume writing there again goes on as before, but it
// does not switch to or from a file.
TEST_F(SegctlReplayFilesTest, ResumeKeepsStandardOutputOrTheFile) {
  ASSERT_EQ(replay({"--input", events_, "--rules", rules_}).code, 0);
  const Ran again = replay({"--input", events_, "--rules", rules_});
  EXPECT_EQ(again.code, 0) << again.err;
  const std::string file = dir_.file("out.jsonl");
  const Ran to_file = replay({"--input", events_, "--output", file});
  EXPECT_EQ(to_file.code, 2);
  EXPECT_NE(to_file.err.find("--output: the state dir's replay wrote standard output, not '" +
                             file + "'"),
            std::string::npos)
      << to_file.err;
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(SegctlReplayFilesTest, StandardInputAndOutputStillWork) {
  const Ran ran = run("segctl",
                      {"replay", "--state-dir", state_dir_, "--input", "-", "--rules",
                       source_file("config/segments.yaml")},
                      original_);
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.err.find("\"read\":2000"), std::string::npos) << ran.err;
  EXPECT_FALSE(ran.out.empty());
}

TEST(SegctlReplayDeadLetterTest, PayloadThatIsNotUtf8IsAlsoKeptAsBase64) {
  // The payload's bad bytes were replaced by U+FFFD, and the original was lost.
  const TempDir dir("cli-replay-dlq");
  const std::string events = dir.file("ev.jsonl");
  const std::string dead = dir.file("dead.jsonl");
  ASSERT_TRUE(write_text(events,
                         "{\"type\":\"page_view\",\"customer_id\":\"c\xFF\",\"ts\":1}\n"
                         "{\"type\":\"page_view\",\"ts\":1}\n")
                  .has_value());
  const Ran ran = run("segctl", {"replay", "--input", events, "--state-dir", dir.file("state"),
                                 "--output", "/dev/null", "--dead-letter", dead});
  ASSERT_EQ(ran.code, 0) << ran.err;
  const std::string lines = read_text(dead);
  const size_t newline = lines.find('\n');
  ASSERT_NE(newline, std::string::npos) << lines;
  const std::string first = lines.substr(0, newline);
  const std::string second = lines.substr(newline + 1);
  EXPECT_NE(first.find("\"payload\":\"{\\\"type\\\":\\\"page_view\\\",\\\"customer_id\\\":\\\"c"
                       "\xEF\xBF\xBD\\\",\\\"ts\\\":1}\""),
            std::string::npos)
      << first;
  EXPECT_TRUE(first.ends_with(
      ",\"payload_base64\":\"eyJ0eXBlIjoicGFnZV92aWV3IiwiY3VzdG9tZXJfaWQiOiJj/yIsInRzIjoxfQ==\"}"))
      << first;
  EXPECT_NE(second.find("\"reason\":\"missing_field:customer_id\""), std::string::npos) << second;
  EXPECT_EQ(second.find("payload_base64"), std::string::npos) << second;
}

// The message quoted the offending value whole (up to the 64 KiB line, twice the dead letter's
// size); it is cut to 1024 bytes as on the dead-letter topic, where a UTF-8 sequence starts.
TEST(SegctlReplayDeadLetterTest, TheMessageIsCutLikeTheDeadLetterTopics) {
  const TempDir dir("cli-replay-dlq-message");
  const std::string events = dir.file("ev.jsonl");
  const std::string dead = dir.file("dead.jsonl");
  std::string type = "a";
  for (int i = 0; i < 20'000; ++i) {
    type += "\xC3\xA9";  // é
  }
  const std::string line = R"({"type":")" + type + R"(","customer_id":"c1","ts":1})";
  ASSERT_TRUE(write_text(events, line + "\n").has_value());
  const Ran ran = run("segctl", {"replay", "--input", events, "--state-dir", dir.file("state"),
                                 "--output", "/dev/null", "--dead-letter", dead});
  ASSERT_EQ(ran.code, 0) << ran.err;
  // "unknown event type '" and the "a" are 21 bytes; 501 é fit in the rest of 1024, not 502.
  std::string message = "unknown event type 'a";
  for (int i = 0; i < 501; ++i) {
    message += "\xC3\xA9";
  }
  std::string payload;
  for (const char c : line) {
    payload += c == '"' ? std::string("\\\"") : std::string(1, c);
  }
  EXPECT_EQ(read_text(dead), "{\"reason\":\"unknown_type\",\"message\":\"" + message +
                                 "\",\"source\":\"replay\",\"offset\":0,\"payload\":\"" + payload +
                                 "\"}\n");
}

}  // namespace
}  // namespace segd::test
