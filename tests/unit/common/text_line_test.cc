// BoundedLineReader: the lines read_text_line() reads, each cut to `keep` bytes with its whole
// length, in memory that does not grow with the line.
#include "core/common/text_line.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace segd::core {
namespace {

using Lines = std::vector<std::pair<std::string, size_t>>;

// Every (line, length) the reader gives for `text`, keeping `keep` bytes.
Lines read_all(const std::string& text, size_t keep) {
  std::istringstream in(text);
  BoundedLineReader reader(keep, size_t{1} << 20);
  Lines out;
  std::string line;
  size_t length = 0;
  while (reader.next(in, line, length)) {
    out.emplace_back(line, length);
  }
  EXPECT_FALSE(in.bad());
  return out;
}

TEST(BoundedLineReaderTest, ReadsTheLinesReadTextLineReads) {
  for (const std::string text : {"", "a", "a\n", "a\nbc\n", "\n\n", "a\r\nb\r\n", "a\rb\n", "ab\r",
                                 "abcd\nabcd", "abcd\r\n\r\n", "abc\r\nabc"}) {
    std::istringstream expected_in(text);
    Lines expected;
    std::string line;
    while (read_text_line(expected_in, line)) {
      expected.emplace_back(line, line.size());
    }
    EXPECT_EQ(read_all(text, 4), expected) << "keep 4: " << text;
    EXPECT_EQ(read_all(text, 100), expected) << "keep 100: " << text;
  }
}

TEST(BoundedLineReaderTest, CutsLongLinesAndCountsTheirWholeLength) {
  const std::string huge(100'000, 'x');
  EXPECT_EQ(read_all("abcdefgh\nij\n", 3), (Lines{{"abc", 8}, {"ij", 2}}));
  EXPECT_EQ(read_all("abcdefgh\r\nij", 3), (Lines{{"abc", 8}, {"ij", 2}}));
  EXPECT_EQ(read_all("abcdefgh", 3), (Lines{{"abc", 8}}));
  EXPECT_EQ(read_all("abc\r\nd", 3), (Lines{{"abc", 3}, {"d", 1}})) << "the '\\r' is the end";
  EXPECT_EQ(read_all("abc\rx\n", 3), (Lines{{"abc", 5}}));
  EXPECT_EQ(read_all(huge + "\n" + huge + "\r\nend", 10),
            (Lines{{huge.substr(0, 10), 100'000}, {huge.substr(0, 10), 100'000}, {"end", 3}}));
}

TEST(BoundedLineReaderTest, StopsAtALineLongerThanItsLimit) {
  std::istringstream in("ab\n" + std::string(5000, 'x') + "\nnever read\n");
  BoundedLineReader reader(3, 4096);
  std::string line;
  size_t length = 0;
  ASSERT_TRUE(reader.next(in, line, length));
  EXPECT_EQ(line, "ab");
  EXPECT_FALSE(reader.too_long());
  EXPECT_FALSE(reader.next(in, line, length));
  EXPECT_TRUE(reader.too_long());
}

}  // namespace
}  // namespace segd::core
