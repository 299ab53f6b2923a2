// segctl's commands fail, naming the file, when what they write cannot be written: a full disk
// shows only when the last buffered bytes are flushed or the file is closed.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace segd::test
