#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace segd::test {

/// Where the child's stdin comes from.
enum class StdinMode { kNull, kPipe, kFile };
/// Where the child's stdout goes: a pipe we read lines from, a file, or our own stdout.
enum class StdoutMode { kPipe, kFile, kInherit };

/// How to start a child process.
struct ProcessOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  StdinMode stdin_mode = StdinMode::kNull;
  std::string stdin_path;  // used with StdinMode::kFile: opened read-only (a directory too)
  StdoutMode stdout_mode = StdoutMode::kPipe;
  std::string stdout_path;  // used with StdoutMode::kFile
  std::string stderr_path;  // Default: empty, the child inherits our stderr
  /// Variables set for the child. It gets our environment without the SEGD_* variables, then
  /// these: segd refuses SEGD_* variables it does not know, and a test must not depend on those
  /// of the shell that runs the suite (`SEGD_TEST_SANITIZE=0 scripts/test.sh`). Default: none
  std::vector<std::pair<std::string, std::string>> env;
};

/// A child process started with posix_spawn. Move-only. The destructor sends SIGTERM, waits up
/// to 2 s, then SIGKILLs and reaps, so a failing test never leaks a broker. Not thread-safe.
class Process {
 public:
  /// Starts the child. Errors: `spawn` (bad argv, missing binary, pipe/file failures).
  [[nodiscard]] static core::Result<Process> spawn(const ProcessOptions& options);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  [[nodiscard]] pid_t pid() const { return pid_; }

  /// Writes `text` to the child's stdin pipe. Errors: `no_stdin`, `write`.
  [[nodiscard]] core::Result<void> write_stdin(std::string_view text);
  /// Closes the stdin pipe (the child sees EOF). Idempotent.
  void close_stdin();

  /// Reads one line (without '\n') from the stdout pipe, waiting at most `timeout`.
  /// Errors: `timeout`, `eof` (the child closed stdout), `no_stdout`.
  [[nodiscard]] core::Result<std::string> read_line(std::chrono::milliseconds timeout);

  /// Sends `signal` to the child if it has not been reaped yet.
  void kill(int signal);

  /// Waits for exit and reaps. Returns the exit code, or 128+signal when killed by a signal.
  /// Errors: `timeout` when it is still running after `timeout` (it is left running).
  [[nodiscard]] core::Result<int> wait(std::chrono::milliseconds timeout);

  /// True until the child has been reaped by wait().
  [[nodiscard]] bool running() const { return pid_ > 0; }

 private:
  Process(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {}
  void terminate_and_reap();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_buffer_;
  std::optional<int> exit_code_;
};

}  // namespace segd::test
