// segd's model refits against the dev broker: each stream-time boundary trains a version on the
// state as of the boundary beside processing, which takes over after every event processed
// before it was ready; nothing is lost meanwhile, and a restart does not train a boundary again.
#include <gtest/gtest.h>

#include <regex>

#include "core/common/time.h"
#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

constexpr int64_t kWeekMs = 7 * 86'400'000LL;

struct InstalledModel {
  int64_t version = 0;
  int64_t trained_as_of_ms = 0;
  int64_t active_from_ms = 0;
};

// The "model version N trained on the state at T active from A" lines of a segd log.
std::vector<InstalledModel> installed_models(const std::string& log) {
  static const std::regex kLine(
      R"(models: model version (\d+) trained on the state at (\S+) active from (\S+) )");
  std::vector<InstalledModel> out;
  for (const std::string& line : split_lines(log)) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) {
      continue;
    }
    auto as_of = core::parse_rfc3339(m[2].str());
    auto from = core::parse_rfc3339(m[3].str());
    EXPECT_TRUE(as_of && from) << "unreadable times in: " << line;
    if (as_of && from) {
      out.push_back({std::stoll(m[1].str()), as_of->value(), from->value()});
    }
  }
  return out;
}

TEST(SegdRefitTest, TrainsBesideProcessingAndActivatesAfterWhatItProcessed) {
  constexpr int32_t kPartitions = 4;
  constexpr int64_t kEvents = 30000;
  const TempDir dir("refit");
  const std::string input = dir.file("events.jsonl");
  // segctl gen spreads events over 90 days: about 12 weekly boundaries.
  ASSERT_TRUE(gen_events({.customers = 3000, .events = kEvents, .seed = 5}, input).has_value());
  auto broker = start_broker_with_events(input, kPartitions);
  ASSERT_TRUE(broker.has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .refit_every = "7d"},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, kEvents);
  EXPECT_EQ(events.consumed, events.processed + events.duplicates + events.dead_lettered_total());
  EXPECT_GE(summary->outbox_published, summary->changes);

  const std::vector<InstalledModel> models = installed_models(read_text(dir.file("segd.log")));
  ASSERT_GE(models.size(), 8u) << read_text(dir.file("segd.log"));
  for (size_t i = 0; i < models.size(); ++i) {
    const InstalledModel& m = models[i];
    EXPECT_EQ(m.version, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(m.trained_as_of_ms % kWeekMs, 0) << "version " << m.version << ": not a boundary";
    EXPECT_GT(m.active_from_ms, m.trained_as_of_ms) << "version " << m.version;
    if (i > 0) {
      EXPECT_GT(m.trained_as_of_ms, models[i - 1].trained_as_of_ms);
      EXPECT_GE(m.active_from_ms, models[i - 1].active_from_ms);
    }
  }

  // Published changes carry the version that scored them: the first ones none, later ones newer.
  auto published = read_topic(broker->bootstrap(), "segment-changes", kPartitions);
  ASSERT_TRUE(published.has_value()) << published.error().message;
  int64_t newest = 0;
  for (const HeadedRecord& r : *published) {
    const int64_t version = std::stoll(r.header("model_version").value_or("-1"));
    EXPECT_GE(version, 0);
    EXPECT_LE(version, models.back().version);
    newest = std::max(newest, version);
  }
  EXPECT_GE(newest, models.back().version - 1) << "changes after the last activations";

  // Run again on the same state: nothing new to consume, and no boundary is trained twice.
  auto again = run_segd_to_end(*config, dir, "segd-again.log", seconds(120));
  ASSERT_TRUE(again.has_value()) << again.error().code << ": " << again.error().message;
  EXPECT_TRUE(installed_models(read_text(dir.file("segd-again.log"))).empty())
      << read_text(dir.file("segd-again.log"));
}

}  // namespace
}  // namespace segd::test
