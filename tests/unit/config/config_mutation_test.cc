// Mangled config files: load_config() must answer each with a value or a `config` error, never
// an exception (yaml-cpp reports problems by throwing).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "embedded_docs.h"
#include "service/segd/config.h"
#include "support/mutator.h"

namespace segd::service {
namespace {

TEST(ConfigMutationTest, MangledConfigFilesAreRejectedOrLoaded) {
  const std::vector<std::string> seeds = {testing::kDefaultYaml};
  segd::testing::Mutator mutator(6);
  int rejected = 0;
  int loaded = 0;
  for (int i = 0; i < 3000 && !HasFailure(); ++i) {
    const std::string text = mutator.next(seeds);
    try {
      const core::Result<SegdConfig> config = load_config(ConfigSources{text, "segd.yaml", {}, {}});
      if (config) {
        ++loaded;
      } else {
        ++rejected;
        EXPECT_EQ(config.error().code, "config");
        EXPECT_FALSE(config.error().message.empty());
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw " << e.what() << " on " << segd::testing::hex(text);
    }
  }
  EXPECT_GT(rejected, 100);
  EXPECT_GT(loaded, 100);
}

}  // namespace
}  // namespace segd::service
