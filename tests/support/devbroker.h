#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "support/process.h"

namespace segd::test {

/// How to start a dev broker for a test.
struct DevBrokerOptions {
  std::string binary;               // path of segd-devbroker, e.g. SEGD_BIN_DIR "/segd-devbroker"
  int32_t brokers = 1;              // Default: 1
  std::vector<std::string> topics;  // "NAME:PARTITIONS" each
  /// Bound on waiting for the bootstrap file. Default: 10s
  std::chrono::milliseconds start_timeout{10000};
};

/// segd-devbroker (librdkafka's mock cluster) running as a child process, with its bootstrap
/// file and log in a fresh temp dir that is removed afterwards. Commands go to its stdin; its
/// replies are read from its stdout. Not thread-safe; one command at a time.
class DevBroker {
 public:
  /// Starts the broker and waits for its bootstrap address. Blocks up to `start_timeout`.
  /// Errors: `spawn`, `timeout` (no bootstrap file), `exited` (it died during startup).
  [[nodiscard]] static core::Result<DevBroker> start(const DevBrokerOptions& options);

  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;
  /// Moves ownership of the running broker; the source is left empty and stops nothing.
  DevBroker(DevBroker&& other) noexcept;
  DevBroker& operator=(DevBroker&&) = delete;
  /// Stops the broker (SIGTERM, then SIGKILL) and removes the temp dir.
  ~DevBroker();

  /// The bootstrap.servers list, e.g. "127.0.0.1:40265".
  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }

  /// Sends one control command (e.g. "broker-down 1") and returns the reply line, `ok` or
  /// `error: ...`. Blocks up to `timeout`. Errors: `timeout`, `eof`, `write`.
  [[nodiscard]] core::Result<std::string> command(
      std::string_view line, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  /// The broker's stderr log so far (for failure messages).
  [[nodiscard]] std::string log() const;

  /// Sends `quit` and waits for a clean exit. Errors: as command(), `exit_code`.
  [[nodiscard]] core::Result<void> stop();

 private:
  DevBroker(std::filesystem::path dir, Process process, std::string bootstrap)
      : dir_(std::move(dir)), process_(std::move(process)), bootstrap_(std::move(bootstrap)) {}

  std::filesystem::path dir_;
  Process process_;
  std::string bootstrap_;
};

}  // namespace segd::test
