#pragma once

#include <string_view>

namespace segd::io {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };

/// Sets the threshold below which lines are dropped (from log.level at startup).
void set_log_level(LogLevel level);

/// Writes `2026-11-23T13:00:00.123Z info  component: message` to stderr as one write (lines from
/// different threads never interleave). Thread-safe. Processing-time I/O: never used by the core.
void log(LogLevel level, std::string_view component, std::string_view message);

/// Sends protobuf's own log lines through log(), component `protobuf`: its errors at debug level
/// (they are about payloads, such as an input message with invalid UTF-8 in a string field, which
/// is dead-lettered with its reason anyway: a stream of bad messages must not flood stderr), its
/// fatal ones at error. Call once at startup, before other threads run (protobuf's handler is a
/// plain global).
void route_protobuf_logs();

/// Names the calling thread (at most 15 characters), as `top -H`, `perf` and /proc show it.
void name_this_thread(const char* name);

}  // namespace segd::io
