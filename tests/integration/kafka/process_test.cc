// tests/support/process.h, the child-process helper the dev broker tests stand on.
#include "support/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>

namespace segd::test {
namespace {

using std::chrono::milliseconds;

TEST(ProcessTest, EchoesStdinLinesAndReportsExitCode) {
  auto p =
      Process::spawn({.argv = {"/bin/sh", "-c", "while read l; do echo \"got $l\"; done; exit 3"},
                      .stdin_mode = StdinMode::kPipe});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ASSERT_TRUE(p->write_stdin("one\ntwo\n").has_value());
  EXPECT_EQ(p->read_line(milliseconds(5000)).value_or("timeout"), "got one");
  EXPECT_EQ(p->read_line(milliseconds(5000)).value_or("timeout"), "got two");
  p->close_stdin();
  EXPECT_EQ(p->read_line(milliseconds(5000)).error().code, "eof");
  EXPECT_EQ(p->wait(milliseconds(5000)).value_or(-1), 3);
  EXPECT_FALSE(p->running());
}

TEST(ProcessTest, ReadLineTimesOutAndKillReportsSignal) {
  auto p = Process::spawn({.argv = {"sleep", "30"}});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->read_line(milliseconds(50)).error().code, "timeout");
  EXPECT_EQ(p->wait(milliseconds(50)).error().code, "timeout");
  p->kill(SIGKILL);
  EXPECT_EQ(p->wait(milliseconds(5000)).value_or(-1), 128 + SIGKILL);
}

TEST(ProcessTest, ChildGetsOnlyTheSegdVariablesGivenToIt) {
  // `SEGD_TEST_SANITIZE=0 scripts/test.sh` failed every daemon test: segd refuses unknown SEGD_*
  // variables, and it got the test runner's.
  ::setenv("SEGD_TEST_SANITIZE", "0", 1);
  ::setenv("SEGD_LOG_LEVEL", "error", 1);
  auto p = Process::spawn(
      {.argv = {"/bin/sh", "-c",
                "echo \"${SEGD_TEST_SANITIZE-unset} ${SEGD_LOG_LEVEL-unset} ${PATH:+path}\""},
       .env = {{"SEGD_LOG_LEVEL", "debug"}}});
  ::unsetenv("SEGD_TEST_SANITIZE");
  ::unsetenv("SEGD_LOG_LEVEL");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  // Only what the test sets itself.
  EXPECT_EQ(p->read_line(milliseconds(5000)).value_or("timeout"), "unset debug path");
  EXPECT_EQ(p->wait(milliseconds(5000)).value_or(-1), 0);
}

TEST(ProcessTest, MissingBinaryFailsToSpawn) {
  auto p = Process::spawn({.argv = {"/nonexistent/segd-no-such-binary"}});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, "spawn");
}

}  // namespace
}  // namespace segd::test
