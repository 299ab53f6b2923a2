#pragma once

#include "core/common/result.h"
#include "options.h"

namespace segd::devbroker {

/// Starts the mock cluster described by `options`, writes the bootstrap file, then serves
/// control commands until SIGTERM/SIGINT, `quit`, or (with --exit-on-eof) EOF on stdin.
/// Blocks. Errors: `mock_start` (cluster or topic creation), `bootstrap_file`, `control`.
[[nodiscard]] core::Result<void> run_server(const Options& options);

}  // namespace segd::devbroker
