#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace segd::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

/// Pipe ends created close-on-exec; dup2 in the child clears the flag on the copies it keeps.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

core::Result<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return core::fail("spawn", errno_text("pipe2"));
  }
  return Pipe{fds[0], fds[1]};
}

/// File actions for the child's stdin/stdout/stderr; the parent keeps `parent_*` ends.
struct Redirects {
  posix_spawn_file_actions_t actions{};
  Pipe in;
  Pipe out;
};

core::Result<void> plan_redirects(const ProcessOptions& options, Redirects& r) {
  posix_spawn_file_actions_init(&r.actions);
  if (options.stdin_mode == StdinMode::kPipe) {
    auto p = make_pipe();
    if (!p) {
      return std::unexpected(p.error());
    }
    r.in = *p;
    posix_spawn_file_actions_adddup2(&r.actions, r.in.read_end, STDIN_FILENO);
  } else {
    const bool file = options.stdin_mode == StdinMode::kFile;
    posix_spawn_file_actions_addopen(&r.actions, STDIN_FILENO,
                                     file ? options.stdin_path.c_str() : "/dev/null", O_RDONLY, 0);
  }
  if (options.stdout_mode == StdoutMode::kPipe) {
    auto p = make_pipe();
    if (!p) {
      return std::unexpected(p.error());
    }
    r.out = *p;
    posix_spawn_file_actions_adddup2(&r.actions, r.out.write_end, STDOUT_FILENO);
  } else if (options.stdout_mode == StdoutMode::kFile) {
    posix_spawn_file_actions_addopen(&r.actions, STDOUT_FILENO, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&r.actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  return {};
}

/// `NAME=VALUE` strings for the child (see ProcessOptions::env).
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    const bool given = std::any_of(extra.begin(), extra.end(),
                                   [name](const auto& variable) { return variable.first == name; });
    if (!name.starts_with("SEGD_") && !given) {
      env.emplace_back(entry);
    }
  }
  for (const auto& [name, value] : extra) {
    env.push_back(name + "=" + value);
  }
  return env;
}

}  // namespace

core::Result<Process> Process::spawn(const ProcessOptions& options) {
  if (options.argv.empty()) {
    return core::fail("spawn", "empty argv");
  }
  Redirects r;
  auto planned = plan_redirects(options, r);
  std::vector<char*> argv;
  for (const auto& arg : options.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(options.env);
  std::vector<char*> envp;
  for (auto& variable : env) {
    envp.push_back(variable.data());
  }
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = planned ? posix_spawnp(&pid, argv[0], &r.actions, nullptr, argv.data(), envp.data()) : 0;
  posix_spawn_file_actions_destroy(&r.actions);
  close_fd(r.in.read_end);
  close_fd(r.out.write_end);
  if (!planned || rc != 0) {
    close_fd(r.in.write_end);
    close_fd(r.out.read_end);
    if (!planned) {
      return std::unexpected(planned.error());
    }
    return core::fail("spawn", options.argv[0] + ": " + std::strerror(rc));
  }
  return Process(pid, r.in.write_end, r.out.read_end);
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      stdout_buffer_(std::move(other.stdout_buffer_)),
      exit_code_(other.exit_code_) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    terminate_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stdout_buffer_ = std::move(other.stdout_buffer_);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

Process::~Process() { terminate_and_reap(); }

void Process::terminate_and_reap() {
  if (pid_ > 0) {
    kill(SIGTERM);
    if (!wait(std::chrono::milliseconds(2000))) {
      kill(SIGKILL);
      core::ignore_error(wait(std::chrono::milliseconds(5000)), "best effort after SIGKILL");
    }
  }
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
}

core::Result<void> Process::write_stdin(std::string_view text) {
  if (stdin_fd_ < 0) {
    return core::fail("no_stdin", "stdin is not a pipe or was closed");
  }
  while (!text.empty()) {
    const ssize_t n = ::write(stdin_fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return core::fail("write", errno_text("write to child stdin"));
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

void Process::close_stdin() { close_fd(stdin_fd_); }

core::Result<std::string> Process::read_line(std::chrono::milliseconds timeout) {
  if (stdout_fd_ < 0) {
    return core::fail("no_stdout", "stdout is not a pipe");
  }
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const auto nl = stdout_buffer_.find('\n'); nl != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, nl);
      stdout_buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return core::fail("timeout", "no line from child stdout");
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) <= 0) {
      continue;
    }
    char buf[4096];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n == 0) {
      return core::fail("eof", "child closed stdout");
    }
    if (n > 0) {
      stdout_buffer_.append(buf, static_cast<size_t>(n));
    }
  }
}

void Process::kill(int signal) {
  if (pid_ > 0) {
    ::kill(pid_, signal);
  }
}

core::Result<int> Process::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) {
    if (exit_code_) {
      return *exit_code_;
    }
    return core::fail("not_started", "no child");
  }
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
      return *exit_code_;
    }
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return core::fail("wait", errno_text("waitpid"));
    }
    if (Clock::now() >= deadline) {
      return core::fail("timeout", "child still running");
    }
    // Polling keeps this free of SIGCHLD handlers, which would clash with gtest and librdkafka.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace segd::test
