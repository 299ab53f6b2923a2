// Incremental rule evaluation (RuleMemo): evaluating only the rules an event can change, and only
// the due ones at a timer, must give byte for byte what evaluating every rule gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

// Every feature, affinity() and a score, in every shape wake-ups are found for, over events of
// every type (late, duplicated and malformed ones too), three partitions and model refits. The
// incremental run also has a cache of 25 states per partition (remembered evaluations are lost
// with the states) and smaller batches; neither changes any output.
TEST(IncrementalRulesTest, GivesWhatEvaluatingEveryRuleGives) {
  const TempDir dir("incremental-rules");
  const std::string events = dir.file("events.jsonl");
  const Ran gen = run("segctl", {"gen", "--customers", "1500", "--events", "30000", "--seed", "2",
                                 "--days", "200", "--bad-rate", "0.02", "--output", events});
  ASSERT_EQ(gen.code, 0) << gen.err;
  const std::string rules = source_file("tests/replay/every_feature.yaml");
  const auto replay = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"replay",
                                     "--input",
                                     events,
                                     "--state-dir",
                                     dir.file(name),
                                     "--rules",
                                     rules,
                                     "--partitions",
                                     "3",
                                     "--refit-every",
                                     "5d",
                                     "--output",
                                     dir.file(name + ".jsonl")};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 0) << ran.err;
    const Ran exported = run("segctl", {"export", "--state-dir", dir.file(name)});
    EXPECT_EQ(exported.code, 0) << exported.err;
    return std::pair{read_text(dir.file(name + ".jsonl")), exported.out};
  };
  const auto [incremental, incremental_export] =
      replay("incremental", {"--batch-size", "300", "--cache-customers", "25"});
  const auto [every_rule, every_rule_export] =
      replay("every-rule", {"--batch-size", "2000", "--evaluate-all-rules"});
  EXPECT_TRUE(incremental == every_rule) << "the segment changes differ";
  EXPECT_TRUE(incremental_export == every_rule_export) << "the exported states differ";
  // Not vacuous: every segment changes, timers and the model included.
  for (const char* segment : {"recent_repeat", "windows", "money_windows", "refunder", "page_heat",
                              "product_glow", "sessions", "open_cart", "veteran", "cart_clock",
                              "bgnbd", "bookish", "busy_week", "at_risk"}) {
    EXPECT_NE(incremental.find("\"segment\":\"" + std::string(segment) + "\""), std::string::npos)
        << segment;
  }
  EXPECT_NE(incremental.find("\"cause\":{\"kind\":\"timer\"}"), std::string::npos);
  EXPECT_NE(incremental.find("\"cause\":{\"kind\":\"model\""), std::string::npos);
}

}  // namespace
}  // namespace segd::test
