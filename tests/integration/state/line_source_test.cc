#include "io/replay/line_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/codec/decode_limits.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::TempDir;

std::string page_view(int i) {
  return R"({"type":"page_view","customer_id":"c)" + std::to_string(i) + R"(","ts":)" +
         std::to_string(1'000 + i) + "}";
}

std::string write_lines(const TempDir& dir, const std::string& name, int first, int count) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream out(path);
  for (int i = first; i < first + count; ++i) {
    out << (i % 100 == 7 ? "not json" : page_view(i)) << "\n";
  }
  return path;
}

// Every line of the inputs, in order, drained chunk by chunk.
std::vector<DecodedLine> drain(LineSource& source) {
  std::vector<DecodedLine> all;
  while (true) {
    auto chunk = source.next();
    EXPECT_TRUE(chunk.has_value()) << chunk.error().message;
    if (!chunk || chunk->empty()) {
      return all;
    }
    for (DecodedLine& line : *chunk) {
      all.push_back(std::move(line));
    }
  }
}

TEST(LineSourceTest, LinesOfAllInputsComeInOrderAcrossChunks) {
  TempDir dir;
  const std::string a = write_lines(dir, "a.jsonl", 0, 1500);
  const std::string b = write_lines(dir, "b.jsonl", 2000, 700);
  std::istringstream standard_input(page_view(5000) + "\n" + page_view(5001));
  LineSource source({a, "-", b}, standard_input, /*skip=*/0);
  const std::vector<DecodedLine> lines = drain(source);
  ASSERT_EQ(lines.size(), 1500u + 2 + 700);
  for (size_t n = 0; n < lines.size(); ++n) {
    ASSERT_EQ(lines[n].number, static_cast<int64_t>(n));
    EXPECT_FALSE(lines[n].skipped);
  }
  EXPECT_EQ(lines[1].event->customer_id, "c1");
  EXPECT_EQ(lines[1500].event->customer_id, "c5000");
  EXPECT_EQ(lines[1501].event->customer_id, "c5001");
  EXPECT_EQ(lines[1502].event->customer_id, "c2000");
  ASSERT_FALSE(lines[7].event.has_value());
  EXPECT_EQ(lines[7].event.error().code, "bad_json");
  EXPECT_EQ(lines[7].payload, "not json");
  EXPECT_TRUE(lines[8].payload.empty());  // Kept only for lines that did not decode.
  // The end stays the end.
  auto again = source.next();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->empty());
}

// Windows line endings: the '\r' is not part of the event. It used to stay in the payload, so an
// event of exactly the size limit was dead-lettered as too_large (and a bad line kept its '\r').
TEST(LineSourceTest, ACarriageReturnBeforeTheNewlineIsNotPartOfTheLine) {
  TempDir dir;
  const size_t limit = DecodeLimits{}.max_payload_bytes;
  const std::string head = R"({"type":"page_view","customer_id":"c1","ts":1001,"pad":")";
  const std::string tail = R"("})";
  const std::string largest = head + std::string(limit - head.size() - tail.size(), 'x') + tail;
  const std::string path = dir.path() + "/crlf.jsonl";
  std::ofstream(path) << largest << "\r\nnot json\r\n";
  std::istringstream standard_input(page_view(2) + "\r\n");
  LineSource source({path, "-"}, standard_input, /*skip=*/0);
  const std::vector<DecodedLine> lines = drain(source);
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_TRUE(lines[0].event.has_value()) << lines[0].event.error().message;
  EXPECT_EQ(lines[1].payload, "not json");
  ASSERT_TRUE(lines[2].event.has_value()) << lines[2].event.error().message;
  EXPECT_EQ(lines[2].event->customer_id, "c2");
}

TEST(LineSourceTest, SkippedLinesAreCountedNotDecoded) {
  TempDir dir;
  const std::string a = write_lines(dir, "a.jsonl", 0, 600);
  std::istringstream standard_input;
  LineSource source({a}, standard_input, /*skip=*/550);
  const std::vector<DecodedLine> lines = drain(source);
  ASSERT_EQ(lines.size(), 600u);
  EXPECT_TRUE(lines[549].skipped);
  EXPECT_TRUE(lines[507].payload.empty());  // "not json", but skipped: not even looked at.
  EXPECT_FALSE(lines[550].skipped);
  EXPECT_EQ(lines[550].event->customer_id, "c550");
}

TEST(LineSourceTest, MissingInputFailsAfterTheLinesBeforeIt) {
  TempDir dir;
  const std::string a = write_lines(dir, "a.jsonl", 0, 10);
  std::istringstream standard_input;
  LineSource source({a, dir.path() + "/missing.jsonl"}, standard_input, 0);
  auto first = source.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 10u);
  for (int i = 0; i < 2; ++i) {  // The error stays.
    auto failed = source.next();
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code, "io_error");
    EXPECT_NE(failed.error().message.find("missing.jsonl"), std::string::npos);
  }
}

TEST(LineSourceTest, DirectoryInputFailsInsteadOfReadingNothing) {
  TempDir dir;
  const std::string a = write_lines(dir, "a.jsonl", 0, 10);
  std::istringstream standard_input;
  LineSource source({a, dir.path()}, standard_input, 0);
  auto first = source.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 10u);
  auto failed = source.next();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, "io_error");
  EXPECT_EQ(failed.error().message, dir.path() + ": is a directory");
}

TEST(LineSourceTest, StopsWithoutBeingDrained) {
  TempDir dir;
  const std::string a = write_lines(dir, "a.jsonl", 0, 20'000);  // Far more than it reads ahead.
  std::istringstream standard_input;
  {
    LineSource source({a}, standard_input, 0);
    auto first = source.next();
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(first->empty());
  }  // The reader waits for room; destruction must stop it rather than hang.
}

// A standard input that delivers nothing until released, then ends: a live pipe gone quiet.
class IdleInput : public std::streambuf {
 public:
  void release() {
    {
      const std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

 protected:
  int_type underflow() override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return released_; });
    return traits_type::eof();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
};

TEST(LineSourceTest, StopsPromptlyWhileStandardInputIsIdle) {
  // Never destroyed, as std::cin: the reader left blocked in it outlives this test and may still
  // be returning from getline() while the process exits (a static would be destroyed under it).
  static IdleInput& idle = *new IdleInput;
  static std::istream& standard_input = *new std::istream(&idle);
  auto source = std::make_unique<LineSource>(std::vector<std::string>{"-"}, standard_input, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // The reader is in getline().
  auto destroyed = std::async(std::launch::async, [&source] { source.reset(); });
  const bool prompt = destroyed.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
  idle.release();  // Ends the read, so that a destructor still waiting for it returns too.
  destroyed.wait();
  EXPECT_TRUE(prompt) << "~LineSource waited for a line from an idle standard input";
}

}  // namespace
}  // namespace segd::io
