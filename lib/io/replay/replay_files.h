#pragma once

#include "core/common/result.h"
#include "io/replay/replay_runner.h"

namespace segd::io {

/// Checks a replay's files before anything is written: every --input opens (see
/// check_input_file(); "-" is standard input), and neither --output nor --dead-letter is the
/// same file as an input (by device and inode, so a symlink or another spelling counts) or as
/// each other, which replay would truncate or interleave. Only regular files (and paths with
/// nothing there yet) are compared: "-" for an output, or /dev/null for both, is fine. Errors:
/// `io_error` for an input (exit 1), `bad_option` for a clash (exit 2); both name the flags and the
/// paths.
[[nodiscard]] core::Result<void> check_replay_files(const ReplayOptions& options);

}  // namespace segd::io
