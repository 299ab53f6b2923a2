#include "io/config/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "io/config/rules_loader.h"
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

// A rules file given as a named FIFO that nobody wrote to was read as empty, and the reload was
// refused as "expected a 'segments' list": a message about the file's content, not its writer.
TEST(InputFileTest, ANamedFifoWithoutAWriterIsRefusedAsSuch) {
  TempDir dir;
  const std::string fifo = dir.path() + "/rules.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto read = read_input_file(fifo);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, "io_error");
  EXPECT_EQ(read.error().message, fifo + ": a named FIFO with no writer (nothing to read)");
  auto rules = load_rules_file(fifo);
  ASSERT_FALSE(rules.has_value());
  EXPECT_EQ(rules.error().code, "rules_file");
  EXPECT_EQ(rules.error().message, read.error().message);
  // An empty regular file is a file without content, as before.
  const std::string empty = dir.path() + "/empty.yaml";
  std::ofstream{empty};
  auto none = load_rules_file(empty);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message, empty + ": expected a 'segments' list");
}

}  // namespace
}  // namespace segd::io
