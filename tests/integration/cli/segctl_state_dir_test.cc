// segctl inspect, export and fit read an existing state dir and never create one.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

TEST(SegctlStateDirTest, MissingStateDirFailsWithoutCreatingIt) {
  const TempDir dir("cli-state");
  const std::string missing = dir.file("nope");
  const std::vector<std::vector<std::string>> commands = {
      {"inspect", "--state-dir", missing, "c1"},
      {"export", "--state-dir", missing},
      {"fit", "--state-dir", missing, "--as-of", "2026-01-01T00:00:00Z"}};
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 1) << args[0];
    EXPECT_NE(ran.err.find("segctl: not_found: state dir not found: " + missing), std::string::npos)
        << ran.err;
    EXPECT_EQ(ran.out, "") << args[0];
    EXPECT_FALSE(std::filesystem::exists(missing)) << args[0];
  }
}

TEST(SegctlStateDirTest, DirectoryWithoutAStoreIsNotOpened) {
  const TempDir dir("cli-state");
  const Ran ran = run("segctl", {"export", "--state-dir", dir.path().string()});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(
      ran.err.find("state dir not found: " + dir.path().string() + " (no RocksDB database in it)"),
      std::string::npos)
      << ran.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(SegctlStateDirTest, ExportReadsAReplayedStateDir) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  const std::string events = R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":1})";
  const Ran replay = run("segctl", {"replay", "--input", "-", "--state-dir", state}, events + "\n");
  ASSERT_EQ(replay.code, 0) << replay.err;
  const Ran ran = run("segctl", {"export", "--state-dir", state});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.out.find("\"customer_id\":\"c1\""), std::string::npos) << ran.out;
}

}  // namespace
}  // namespace segd::test
