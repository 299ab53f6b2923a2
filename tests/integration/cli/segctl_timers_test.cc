// Time-driven segment changes through segctl replay: what fires, when, and how often.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

class SegctlTimersTest : public ::testing::Test {
 protected:
  // segctl replay of `inputs` into the test's state dir with `rules` (YAML text).
  Ran replay(const std::vector<std::string>& inputs, const std::string& rules) {
    EXPECT_TRUE(write_text(rules_, rules).has_value());
    std::vector<std::string> args = {"replay", "--state-dir", state_dir_, "--rules",
                                     rules_,   "--output",    output_};
    for (const std::string& input : inputs) {
      args.insert(args.end(), {"--input", input});
    }
    return run("segctl", args);
  }

  // A file of JSONL `lines` in the test's dir.
  std::string events(const std::string& name, const std::string& lines) {
    const std::string path = dir_.file(name);
    EXPECT_TRUE(write_text(path, lines).has_value());
    return path;
  }

  const TempDir dir_{"cli-timers"};
  const std::string state_dir_ = dir_.file("state");
  const std::string rules_ = dir_.file("rules.yaml");
  const std::string output_ = dir_.file("out.jsonl");
};

TEST_F(SegctlTimersTest, ACustomerWhoNeverBoughtEntersAClusterByTimer) {
  // A fitted model, then two customers idle from 2026-04-03: n1 never bought, b1 did. Their
  // cluster moves with the days since their last event (log1p_overdue).
  const std::string history = dir_.file("history.jsonl");
  const Ran gen = run("segctl", {"gen", "--customers", "2000", "--events", "40000", "--seed", "7",
                                 "--output", history});
  ASSERT_EQ(gen.code, 0) << gen.err;
  const std::string rules = "segments:\n  - name: dormant\n    enter: \"cluster == 3\"\n";
  Ran ran = replay({history}, rules);
  ASSERT_EQ(ran.code, 0) << ran.err;
  ran = run("segctl", {"fit", "--state-dir", state_dir_});
  ASSERT_EQ(ran.code, 0) << ran.err;
  const std::string idle = events(
      "idle.jsonl",
      R"({"event_id":"n1","type":"page_view","customer_id":"n1","ts":"2026-04-01T00:00:00Z"})"
      "\n"
      R"({"event_id":"n2","type":"product_view","customer_id":"n1","ts":"2026-04-01T00:05:00Z","product_id":"p1","category":"shoes"})"
      "\n"
      R"({"event_id":"n3","type":"page_view","customer_id":"n1","ts":"2026-04-03T00:00:00Z"})"
      "\n"
      R"({"event_id":"b1","type":"page_view","customer_id":"b1","ts":"2026-04-01T00:00:00Z"})"
      "\n"
      R"({"event_id":"b2","type":"purchase","customer_id":"b1","ts":"2026-04-01T00:05:00Z","order_id":"o1","amount":20})"
      "\n"
      R"({"event_id":"b3","type":"page_view","customer_id":"b1","ts":"2026-04-03T00:00:00Z"})"
      "\n"
      R"({"event_id":"z1","type":"page_view","customer_id":"zz","ts":"2026-10-01T00:00:00Z"})"
      "\n");
  ran = replay({history, idle}, rules);
  ASSERT_EQ(ran.code, 0) << ran.err;
  const std::string out = read_text(output_);
  EXPECT_NE(out.find(R"("customer_id":"b1","segment":"dormant","change":"enter")"),
            std::string::npos)
      << out;
  // Before: n1 was in cluster 3 by October (segctl inspect) but never entered.
  const std::string n1_enters = R"("customer_id":"n1","segment":"dormant","change":"enter")";
  const size_t at = out.find(n1_enters);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_NE(out.find(R"("cause":{"kind":"timer"})", at), std::string::npos) << out;
  ran = run("segctl", {"inspect", "--state-dir", state_dir_, "--rules", rules_, "n1"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.out.find(R"("segments":["dormant"])"), std::string::npos) << ran.out;
}

TEST_F(SegctlTimersTest, NothingThatTimeAloneCannotChangeFiresTimers) {
  // c1 then nobody for a year. Before, each of these woke c1 every day: 365 timers, each a new
  // state version written to the store, and never a change.
  for (
      const auto& [first, rule] : {
          std::pair{
              R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":"2026-01-01T00:00:00Z"})",
              "days_since_last_purchase + 0 > 30"},
          std::pair{
              R"({"event_id":"e1","type":"purchase","customer_id":"c1","ts":"2026-01-01T00:00:00Z","order_id":"o1","amount":5})",
              "p_alive < 0.3"},  // No model.
      }) {
    std::filesystem::remove_all(state_dir_);
    const std::string input = events(
        "year.jsonl",
        std::string(first) +
            "\n"
            R"({"event_id":"e2","type":"page_view","customer_id":"c2","ts":"2027-01-01T00:00:00Z"})"
            "\n");
    const Ran ran =
        replay({input}, std::string("segments:\n  - name: s\n    enter: \"") + rule + "\"\n");
    ASSERT_EQ(ran.code, 0) << ran.err;
    EXPECT_NE(ran.err.find(R"("changes":0,"timers_fired":0,)"), std::string::npos)
        << rule << ": " << ran.err;
  }
}

TEST_F(SegctlTimersTest, ABurstOfTimersGivesTheSameResultWhateverTheBatchSize) {
  // 300 customers buy on 2026-01-01 and leave `orders_30d >= 1` together at 2026-01-31's
  // boundary, before c-late's event: a burst of 300 timers, written in batches of at most
  // --batch-timers firings.
  std::string lines;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    lines += R"({"event_id":"e)" + n + R"(","type":"purchase","customer_id":"c)" + n +
             R"(","ts":"2026-01-01T10:00:00Z","order_id":"o)" + n + R"(","amount":5})" + "\n";
  }
  lines +=
      R"({"event_id":"late","type":"page_view","customer_id":"c-late","ts":"2026-02-15T00:00:00Z"})"
      "\n";
  const std::string input = events("burst.jsonl", lines);
  ASSERT_TRUE(write_text(rules_, "segments:\n  - name: recent\n    enter: \"orders_30d >= 1\"\n")
                  .has_value());
  std::vector<std::string> outputs;
  for (const char* batch : {"5000", "7"}) {
    const std::string state = dir_.file(std::string("state-") + batch);
    const std::string out = dir_.file(std::string("out-") + batch + ".jsonl");
    const Ran ran = run("segctl", {"replay", "--input", input, "--state-dir", state, "--rules",
                                   rules_, "--output", out, "--batch-timers", batch});
    ASSERT_EQ(ran.code, 0) << ran.err;
    EXPECT_NE(ran.err.find(R"("changes":600,"timers_fired":300,)"), std::string::npos) << ran.err;
    const Ran exported = run("segctl", {"export", "--state-dir", state});
    ASSERT_EQ(exported.code, 0) << exported.err;
    outputs.push_back(read_text(out) + exported.out);
  }
  EXPECT_EQ(outputs[0], outputs[1]);
}

}  // namespace
}  // namespace segd::test
