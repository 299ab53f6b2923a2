// A directory where segd or segctl expects a file is an error naming it, not an empty file.
#include <gtest/gtest.h>

#include "integration/cli/cli_run.h"
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

TEST(InputFilesTest, RulesFileThatIsADirectoryFails) {
  const TempDir dir("cli-rules");
  const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", dir.file("state"),
                                 "--rules", dir.path().string()});
  EXPECT_EQ(ran.code, 1);
  EXPECT_TRUE(mentions(ran, "rules_file: " + dir.path().string() + ": is a directory")) << ran.err;
}

}  // namespace
}  // namespace segd::test
