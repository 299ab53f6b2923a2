// Rule reload on SIGHUP in the running daemon: a broken rules file is rejected and the old rules
// stay; a good one takes over between two batches. What segd publishes and stores must equal a
// replay that switches to the new rules at the same point of the input (a second `segctl replay`
// run on the same state dir, as the README's "Reload" describes: new rules apply to each
// customer at their next event or timer).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int32_t kPartitions = 4;

// config/segments.yaml with engaged_browser removed, big_spender's thresholds changed and a new
// segment that reads the cart.
constexpr std::string_view kNewRules = R"(segments:
  - name: new_buyer
    enter: "orders_total == 1 && days_since_last_purchase < 7"
  - name: repeat_buyer
    enter: "orders_90d >= 3"
    exit: "orders_90d < 2"
  - name: big_spender
    enter: "monetary_365d >= 500"
    exit: "monetary_365d < 400"
  - name: lapsed
    enter: "orders_total >= 1 && days_since_last_purchase > 30"
    exit: "days_since_last_purchase <= 30"
  - name: cart_abandoner
    enter: "cart_open > 0 && minutes_since_last_cart > 60"
    exit: "cart_open == 0"
  - name: cart_heavy
    enter: "cart_value > 150"
)";

// `segd_events_consumed_total{topic="events"}` on segd's /metrics; -1 when unreadable.
int64_t consumed(const SegdProcess& segd) {
  const auto value = metric_value(segd, "segd_events_consumed_total{topic=\"events\"}");
  return value ? static_cast<int64_t>(*value) : -1;
}

// Sends SIGHUP and waits for the log to hold `needle` once more than before.
void reload(SegdProcess& segd, std::string_view needle) {
  const size_t before = occurrences(segd.log(), needle);
  segd.process.kill(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (occurrences(segd.log(), needle) == before) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no '" << needle << "':\n"
                                                          << segd.log();
    std::this_thread::sleep_for(milliseconds(20));
  }
}

TEST(SegdDaemonTest, RuleReloadOnSighupEqualsAReplayThatSwitchesRulesThere) {
  const TempDir dir("reload");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 2000, .events = 20000, .seed = 53}, input).has_value());
  const std::vector<std::string> halves = split_file(input, 2, dir);
  ASSERT_EQ(halves.size(), 2u);
  const int64_t first_half = static_cast<int64_t>(split_lines(read_text(halves[0])).size());
  const std::string old_rules = source_path("config/segments.yaml");
  const std::string new_rules = dir.file("new-rules.yaml");
  ASSERT_TRUE(write_text(new_rules, kNewRules).has_value());

  // The reference: the first half under the old rules, then the second under the new ones.
  const std::string replay_state = dir.file("replay-state");
  const std::string replay_out = dir.file("replay.jsonl");
  const std::vector<std::string> replay = {
      bin_path("segctl"), "replay",   "--state-dir", replay_state, "--partitions", "4",
      "--output",         replay_out, "--input",     halves[0]};
  std::vector<std::string> first = replay;
  first.insert(first.end(), {"--rules", old_rules});
  ASSERT_TRUE(run_tool(first, "", seconds(120)).has_value());
  std::vector<std::string> second = replay;
  second.insert(second.end(), {"--input", halves[1], "--rules", new_rules});
  ASSERT_TRUE(run_tool(second, "", seconds(120)).has_value());
  Reference reference;
  for (std::string& line : split_lines(read_text(replay_out))) {
    reference.changes.insert(std::move(line));
  }
  auto exported = export_state(replay_state, dir);
  ASSERT_TRUE(exported.has_value()) << exported.error().message;
  reference.export_text = std::move(*exported);
  ASSERT_NE(reference.export_text.find("cart_heavy"), std::string::npos)
      << "the new segment should have members";

  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  const std::string rules = dir.file("rules.yaml");  // segd's rules.file: rewritten below.
  ASSERT_TRUE(write_text(rules, read_text(old_rules)).has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .rules_file = rules},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto produced = produce_file(broker->bootstrap(), "events", halves[0]);
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  auto segd = start_segd(*config, ExitMode::kOnSignal, dir.file("segd.log"));
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  // The whole first half is processed and committed (the counters move at commits).
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (consumed(*segd) != first_half) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << segd->log();
    std::this_thread::sleep_for(milliseconds(100));
  }

  ASSERT_TRUE(write_text(rules, "segments:\n  - name: broken\n    enter: \"orders_total >\"\n")
                  .has_value());
  ASSERT_NO_FATAL_FAILURE(reload(*segd, "reload rejected, keeping the current rules"));
  // A rejected reload was only a log line: no metric (nor `systemctl reload`) told of it.
  EXPECT_TRUE(wait_for_metric(*segd, "segd_rules_reloads_total{result=\"rejected\"}", 1,
                              milliseconds(5000)))
      << segd->log();
  ASSERT_TRUE(write_text(rules, kNewRules).has_value());
  ASSERT_NO_FATAL_FAILURE(reload(*segd, "rules: reloaded"));
  EXPECT_TRUE(
      wait_for_metric(*segd, "segd_rules_reloads_total{result=\"applied\"}", 1, milliseconds(5000)))
      << segd->log();
  EXPECT_EQ(metric_value(*segd, "segd_rules_reloads_total{result=\"rejected\"}"), 1);
  produced = produce_file(broker->bootstrap(), "events", halves[1]);
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  EXPECT_EQ(
      wait_for_changes(broker->bootstrap(), kPartitions, reference.changes.size(), seconds(120)),
      reference.changes.size());
  segd->process.kill(SIGTERM);
  auto code = segd->wait(milliseconds(60000));
  ASSERT_TRUE(code.has_value()) << segd->log();
  ASSERT_EQ(*code, 0) << segd->log();
  // Anything consumed but not yet changed anything is finished by a run to the end.
  auto rest = run_segd_to_end(*config, dir, "segd-rest.log", seconds(120));
  ASSERT_TRUE(rest.has_value()) << rest.error().code << ": " << rest.error().message;
  const std::string diff =
      compare_with_reference(reference, broker->bootstrap(), kPartitions, state, dir);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace segd::test
