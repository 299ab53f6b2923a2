// The rules files shipped in the repository load: the rules reader rejects unknown keys.
#include <gtest/gtest.h>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

TEST(RulesFilesTest, ShippedRulesFilesLoad) {
  for (const char* file : {"config/segments.yaml", "tests/replay/rules_with_scores.yaml"}) {
    const TempDir dir("cli-rules");
    const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", dir.file("state"),
                                   "--rules", source_file(file)});
    EXPECT_EQ(ran.code, 0) << file << ": " << ran.err;
  }
}

TEST(RulesFilesTest, MisspeltKeyIsRejected) {
  const TempDir dir("cli-rules");
  const std::string rules = dir.file("rules.yaml");
  ASSERT_TRUE(write_text(rules,
                         "segments:\n  - name: a\n    enter: orders_total > 1\n"
                         "    exitt: orders_total < 1\n")
                  .has_value());
  const Ran ran =
      run("segctl", {"replay", "--input", "-", "--state-dir", dir.file("state"), "--rules", rules});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find(rules + ": segments[0] (a): unknown key 'exitt'"), std::string::npos)
      << ran.err;
}

}  // namespace
}  // namespace segd::test
