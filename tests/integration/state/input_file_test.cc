#include "io/config/input_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;

// A config or rules file is read whole, up to a bound: `segd --config /dev/zero` read until
// memory ran out and aborted with std::bad_alloc.
TEST(InputFileTest, ReadingStopsAtTheSizeBound) {
  TempDir dir;
  const std::string path = dir.path() + "/rules.yaml";
  std::ofstream(path) << std::string(100, 'x');
  auto whole = read_input_file(path, 100);
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  EXPECT_EQ(whole->size(), 100u);
  auto cut = read_input_file(path, 99);
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().code, "io_error");
  EXPECT_EQ(cut.error().message, path + ": larger than 99 bytes");
  auto endless = read_input_file("/dev/zero");
  ASSERT_FALSE(endless.has_value());
  EXPECT_EQ(endless.error().message, "/dev/zero: larger than 16777216 bytes");
}

}  // namespace
}  // namespace segd::io
