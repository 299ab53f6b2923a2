#pragma once

#include <string>

#include "core/common/result.h"

namespace segd::io {

/// Checks that `path` opens for reading and is something to read lines from: a regular file, a
/// pipe or a character device (a terminal, /dev/null). Opening does not block on a FIFO.
/// Errors (code `io_error`) start with the path: "<path>: is a directory", "<path>: cannot
/// open: <reason>", "<path>: not a regular file or a pipe".
[[nodiscard]] core::Result<void> check_input_file(const std::string& path);

/// The whole of the file at `path`, after check_input_file(). Errors: those of
/// check_input_file(), and "<path>: cannot read: <reason>" (code `io_error`).
[[nodiscard]] core::Result<std::string> read_input_file(const std::string& path);

}  // namespace segd::io
