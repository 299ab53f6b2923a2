#pragma once

#include "service/segd/config.h"

namespace segd::service {

/// How long segd runs: until SIGTERM/SIGINT, or until every assigned input partition is consumed
/// to its end and the outbox is drained (backfills, tests).
enum class RunUntil : uint8_t { kSignal, kEndOfInput };

/// Installs segd's signal handlers: SIGTERM and SIGINT ask run_daemon() to stop (before it runs,
/// while segd reads its configuration, they end segd as by default), SIGHUP to reload the rules
/// (one before run_daemon() is kept for it), SIGPIPE is ignored. main() calls it first.
void install_signal_handlers();

/// Builds the daemon's object graph (state store, rules, outbox drainer, pipeline, admin server),
/// runs it, and shuts it down in order. Returns the process exit code: 0 after a clean stop, 1 on
/// a runtime failure (state and offsets stay consistent: a restart resumes).
int run_daemon(const SegdConfig& config, RunUntil until);

}  // namespace segd::service
