// segctl replay's checks of its files: nothing is written over an input or truncated before
// the inputs are known to open.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/cli/cli_run.h"
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

TEST_F(SegctlReplayFilesTest, DirectoryAsInputFails) {
  const Ran ran = replay({"--input", dir_.path().string(), "--output", dir_.file("out.jsonl")});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("--input: " + dir_.path().string() + ": is a directory"),
            std::string::npos)
      << ran.err;
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

}  // namespace
}  // namespace segd::test
