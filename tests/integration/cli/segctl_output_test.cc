// segctl's commands fail, naming the file, when what they write cannot be written: a full disk
// shows only when the last buffered bytes are flushed or the file is closed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

const std::string kFull = "No space left on device";
const std::vector<std::string> kGen = {"gen",  "--customers", "200", "--events",
                                       "5000", "--seed",      "1"};

std::vector<std::string> gen_with(const std::vector<std::string>& extra) {
  std::vector<std::string> args = kGen;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(SegctlOutputTest, GenFailsNamingAFileItCannotWrite) {
  // Both exited 0 (--truth) or with a message that did not say which file (--output).
  const Ran truth = run("segctl", gen_with({"--output", "/dev/null", "--truth", "/dev/full"}));
  EXPECT_EQ(truth.code, 1);
  EXPECT_EQ(truth.err, "segctl: io_error: --truth: /dev/full: write failed: " + kFull + "\n");
  const Ran output = run("segctl", gen_with({"--output", "/dev/full"}));
  EXPECT_EQ(output.code, 1);
  EXPECT_EQ(output.err, "segctl: io_error: --output: /dev/full: write failed: " + kFull + "\n");
}

// Both files were opened (and truncated) before generate() refused the config: exit 2 with
// keep.jsonl emptied.
TEST(SegctlOutputTest, GenLeavesItsFilesAloneWhenItCannotRun) {
  const TempDir dir("cli-output");
  const std::string keep = dir.file("keep.jsonl");
  const std::string truth = dir.file("truth.csv");
  for (const std::string& path : {keep, truth}) {
    ASSERT_TRUE(write_text(path, "precious\n").has_value());
  }
  const Ran dense = run("segctl", {"gen", "--customers", "1", "--events", "100000000", "--seed",
                                   "1", "--days", "1", "--output", keep, "--truth", truth});
  EXPECT_EQ(dense.code, 2);
  EXPECT_NE(dense.err.find("--events: too many events per customer"), std::string::npos)
      << dense.err;
  // A --truth that cannot be opened, after --output was.
  const std::string nowhere = dir.file("no/such/dir/truth.csv");
  const Ran unopenable = run("segctl", gen_with({"--output", keep, "--truth", nowhere}));
  EXPECT_EQ(unopenable.code, 1);
  EXPECT_NE(unopenable.err.find("--truth: " + nowhere + ": cannot open"), std::string::npos)
      << unopenable.err;
  EXPECT_EQ(read_text(keep), "precious\n");
  EXPECT_EQ(read_text(truth), "precious\n");
  // An --output that did not exist is not left behind as an empty file.
  const std::string fresh = dir.file("fresh.jsonl");
  EXPECT_EQ(run("segctl", gen_with({"--output", fresh, "--truth", nowhere})).code, 1);
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

// One file for both was written by both: events, then the truth CSV over their start, exit 0.
TEST(SegctlOutputTest, GenRefusesOneFileForOutputAndTruth) {
  const TempDir dir("cli-output");
  const std::string file = dir.file("both.jsonl");
  const std::string link = dir.file("link.csv");
  ASSERT_TRUE(write_text(file, "precious\n").has_value());
  std::filesystem::create_symlink(file, link);
  for (const std::string& truth : {file, link}) {
    const Ran ran = run("segctl", gen_with({"--output", file, "--truth", truth}));
    EXPECT_EQ(ran.code, 2) << truth;
    EXPECT_EQ(ran.err, "segctl: bad_option: --truth: '" + truth +
                           "' is the same file as --output '" + file + "'\n");
  }
  EXPECT_EQ(read_text(file), "precious\n");
  const std::string fresh = dir.file("fresh.jsonl");
  const Ran missing = run("segctl", gen_with({"--output", fresh, "--truth", fresh}));
  EXPECT_EQ(missing.code, 2);
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

// With standard output redirected to a file, `--truth /dev/stdout` opened that file a second
// time: the truth CSV was written over the start of the events, exit 0.
TEST(SegctlOutputTest, GenRefusesTheStandardOutputFileAsTheOtherOutput) {
  const TempDir dir("cli-output");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--truth", "/dev/stdout"},
       "--truth: '/dev/stdout' is the same file as --output '-' (standard output)"},
      {{"--output", "/dev/stdout", "--truth", "-"},
       "--truth: '-' (standard output) is the same file as --output '/dev/stdout'"}};
  for (const auto& [flags, message] : cases) {
    const Ran ran = run("segctl", gen_with(flags), {}, dir.file("stdout.jsonl"));
    EXPECT_EQ(ran.code, 2) << message;
    EXPECT_EQ(ran.err, "segctl: bad_option: " + message + "\n");
  }
}

TEST(SegctlOutputTest, CommandsFailWhenStandardOutputCannotBeWritten) {
  // export, inspect and fit exited 0 with their output lost; gen and replay failed with a
  // message that did not say where ("-: write failed").
  const TempDir dir("cli-output");
  const std::string events = dir.file("ev.jsonl");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", gen_with({"--output", events})).code, 0);
  const Ran replay = run("segctl", {"replay", "--input", events, "--state-dir", state});
  ASSERT_EQ(replay.code, 0) << replay.err;
  const std::vector<std::vector<std::string>> commands = {
      kGen,
      {"export", "--state-dir", state},
      {"inspect", "--state-dir", state, "c001"},
      {"fit", "--state-dir", state},
      {"replay", "--input", events, "--state-dir", dir.file("state2"), "--rules",
       source_file("config/segments.yaml")}};
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args, {}, "/dev/full");
    EXPECT_EQ(ran.code, 1) << args[0];
    EXPECT_EQ(ran.err, "segctl: io_error: standard output: write failed: " + kFull + "\n")
        << args[0];
  }
}

TEST(SegctlOutputTest, AClosedStandardOutputIsAWriteErrorNotAFile) {
  // With fd 1 closed, RocksDB's info LOG took its number: the segment changes went into
  // <state>/LOG and replay exited 0.
  const TempDir dir("cli-closed-stdout");
  const std::string events = dir.file("ev.jsonl");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", gen_with({"--output", events})).code, 0);
  const std::string command = std::string(SEGD_BIN_DIR) + "/segctl replay --input " + events +
                              " --state-dir " + state + " --rules " +
                              source_file("config/segments.yaml") + " >&- 2>" + dir.file("err.txt");
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(read_text(dir.file("err.txt")).find("standard output: write failed"), std::string::npos)
      << read_text(dir.file("err.txt"));
  EXPECT_EQ(read_text(state + "/LOG").find("\"change\""), std::string::npos);
}

}  // namespace
}  // namespace segd::test
