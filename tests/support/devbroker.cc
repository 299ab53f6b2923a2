#include "support/devbroker.h"

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace segd::test {
namespace {

using Clock = std::chrono::steady_clock;

core::Result<std::filesystem::path> make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "segd-devbroker-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return core::fail("spawn", "mkdtemp failed for " + pattern);
  }
  return std::filesystem::path(pattern);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

core::Result<DevBroker> DevBroker::start(const DevBrokerOptions& options) {
  auto dir = make_temp_dir();
  if (!dir) {
    return std::unexpected(dir.error());
  }
  const auto bootstrap_file = *dir / "bootstrap";
  ProcessOptions p;
  p.argv = {options.binary, "--brokers", std::to_string(options.brokers), "--bootstrap-file",
            bootstrap_file.string(),
            // If the test process dies, its end of the stdin pipe closes and the broker exits.
            "--exit-on-eof"};
  for (const auto& topic : options.topics) {
    p.argv.push_back("--topic");
    p.argv.push_back(topic);
  }
  p.stdin_mode = StdinMode::kPipe;
  p.stdout_mode = StdoutMode::kPipe;
  p.stderr_path = (*dir / "devbroker.log").string();
  auto process = Process::spawn(p);
  if (!process) {
    std::filesystem::remove_all(*dir);
    return std::unexpected(process.error());
  }
  // The broker renames the file into place once it listens, so any content is complete.
  const auto deadline = Clock::now() + options.start_timeout;
  std::string bootstrap;
  while (bootstrap.empty()) {
    if (std::filesystem::exists(bootstrap_file)) {
      std::string text = read_file(bootstrap_file);
      bootstrap = text.substr(0, text.find('\n'));
      continue;
    }
    auto exited = process->wait(std::chrono::milliseconds(0));
    if (exited || Clock::now() >= deadline) {
      const std::string log = read_file(*dir / "devbroker.log");
      std::filesystem::remove_all(*dir);
      return exited ? core::fail("exited", "segd-devbroker exited during startup: " + log)
                    : core::fail("timeout", "no bootstrap file from segd-devbroker: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return DevBroker(std::move(*dir), std::move(*process), std::move(bootstrap));
}

DevBroker::DevBroker(DevBroker&& other) noexcept
    : dir_(std::exchange(other.dir_, {})),
      process_(std::move(other.process_)),
      bootstrap_(std::exchange(other.bootstrap_, {})) {}

DevBroker::~DevBroker() {
  if (dir_.empty()) {
    return;  // moved from
  }
  // Stop the broker before removing its dir; ~Process SIGKILLs it if SIGTERM was not enough.
  process_.kill(SIGTERM);
  core::ignore_error(process_.wait(std::chrono::milliseconds(3000)), "~Process falls back");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

core::Result<std::string> DevBroker::command(std::string_view line,
                                             std::chrono::milliseconds timeout) {
  if (auto written = process_.write_stdin(std::string(line) + "\n"); !written) {
    return std::unexpected(written.error());
  }
  return process_.read_line(timeout);
}

std::string DevBroker::log() const { return read_file(dir_ / "devbroker.log"); }

core::Result<void> DevBroker::stop() {
  auto reply = command("quit");
  if (!reply) {
    return std::unexpected(reply.error());
  }
  auto code = process_.wait(std::chrono::milliseconds(5000));
  if (!code) {
    return std::unexpected(code.error());
  }
  if (*code != 0) {
    return core::fail("exit_code", "segd-devbroker exited with " + std::to_string(*code));
  }
  return {};
}

}  // namespace segd::test
