// segctl replay's refits and segctl fit train as segd does: the same number of clusters by
// default (segd's models.kmeans_k), the same range, and the same `off` for the refit cadence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "integration/cli/cli_run.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

constexpr int kSegdDefaultClusters = 6;  // CONFIG.md, models.kmeans_k

class ModelDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Ran gen = run("segctl", {"gen", "--customers", "300", "--events", "12000", "--seed", "5",
                                   "--days", "30", "--output", events_});
    ASSERT_EQ(gen.code, 0) << gen.err;
  }

  Ran replay(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"replay",   "--input",  events_,    "--state-dir",
                                     state_dir_, "--output", "/dev/null"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run("segctl", args);
  }

  // The largest `"cluster":N` in `segctl export` of the state dir, plus one.
  int exported_clusters() {
    const Ran exported = run("segctl", {"export", "--state-dir", state_dir_});
    EXPECT_EQ(exported.code, 0) << exported.err;
    constexpr std::string_view kNeedle = "\"cluster\":";
    int clusters = 0;
    for (size_t at = exported.out.find(kNeedle); at != std::string::npos;
         at = exported.out.find(kNeedle, at + 1)) {
      clusters = std::max(clusters, std::atoi(exported.out.c_str() + at + kNeedle.size()) + 1);
    }
    return clusters;
  }

  const TempDir dir_{"cli-models"};
  const std::string events_ = dir_.file("ev.jsonl");
  const std::string state_dir_ = dir_.file("state");
};

TEST_F(ModelDefaultsTest, ReplayRefitsFitSegdsDefaultNumberOfClusters) {
  // replay trained 5 clusters where segd, documented as doing the same, trains 6.
  const Ran ran = replay({"--refit-every", "7d"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_EQ(exported_clusters(), kSegdDefaultClusters);
}

TEST_F(ModelDefaultsTest, FitDefaultsToSegdsNumberOfClustersAndRange) {
  ASSERT_EQ(replay({}).code, 0);
  const Ran fit = run("segctl", {"fit", "--state-dir", state_dir_});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.out.find("\"k\":" + std::to_string(kSegdDefaultClusters)), std::string::npos)
      << fit.out;
  // fit took 1..1000, segd's models.kmeans_k takes 2..100.
  for (const char* k : {"1", "101"}) {
    const Ran ran = run("segctl", {"fit", "--state-dir", state_dir_, "--k", k});
    EXPECT_EQ(ran.code, 2) << k;
    EXPECT_EQ(ran.err, "segctl: bad_flag: --k: must be in 2..100\n") << k;
  }
}

TEST_F(ModelDefaultsTest, ReplayRefitsCanBeSwitchedOffAsInSegd) {
  // segd takes `off` for models.refit_every; replay refused it as a bad duration.
  const Ran ran = replay({"--refit-every", "off"});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.err.find("\"model_version\":0"), std::string::npos) << ran.err;
  const Ran bad = replay({"--refit-every", "never"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err,
            "segctl: bad_flag: --refit-every: expected off or a duration like 12h or 7d, got "
            "'never'\n");
  const Ran often = replay({"--refit-every", "1s"});
  EXPECT_EQ(often.code, 2);
  EXPECT_EQ(often.err,
            "segctl: bad_flag: --refit-every: must be off or at least 1h (each refit reads every "
            "stored customer), got '1s'\n");
}

}  // namespace
}  // namespace segd::test
