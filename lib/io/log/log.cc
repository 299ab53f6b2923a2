#include "io/log/log.h"

#include <google/protobuf/stubs/logging.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

#include "core/common/time.h"

namespace segd::io {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

constexpr std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info ";
    case LogLevel::kWarn:
      return "warn ";
    case LogLevel::kError:
      return "error";
  }
  return "info ";
}

void protobuf_log(google::protobuf::LogLevel level,
                  const char* /*filename*/,
                  int /*line*/,
                  const std::string& message) {
  log(level == google::protobuf::LOGLEVEL_FATAL ? LogLevel::kError : LogLevel::kDebug, "protobuf",
      message);
}

}  // namespace

void set_log_level(LogLevel level) { g_level.store(level); }

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed)) {
    return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  std::string line = core::format_rfc3339(core::TimestampMs{now.count()});
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += component;
  line += ": ";
  line += message;
  line += '\n';
  const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  static_cast<void>(written);  // Nowhere left to report a failing stderr.
}

void route_protobuf_logs() { google::protobuf::SetLogHandler(&protobuf_log); }

void name_this_thread(const char* name) {
  // Longer names are refused by the kernel (16 bytes with the NUL); the name is diagnostics only.
  static_cast<void>(pthread_setname_np(pthread_self(), name));
}

}  // namespace segd::io
