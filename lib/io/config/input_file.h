#pragma once

#include <cstddef>
#include <string>

#include "core/common/result.h"

namespace segd::io {

/// Checks that `path` opens for reading and is something to read lines from: a regular file, a
/// pipe or a character device (a terminal, /dev/null). A FIFO is checked without opening it
/// (access(2)), so that its writer keeps its reader.
/// Errors (code `io_error`) start with the path: "<path>: is a directory", "<path>: cannot
/// open: <reason>", "<path>: not a regular file or a pipe".
[[nodiscard]] core::Result<void> check_input_file(const std::string& path);

/// Most bytes read_input_file() reads by default: config and rules files are far smaller, and a
/// device that never ends (/dev/zero) must not exhaust memory.
inline constexpr size_t kMaxInputFileBytes = size_t{16} << 20;

/// The whole of the file at `path`, after check_input_file(). A named FIFO is read from when its
/// writer opens it (the read waits for one, as `cat` does); a pipe (/dev/stdin, `<(...)`) at once.
/// Errors: those of
/// check_input_file(), "<path>: cannot read: <reason>" and "<path>: larger than <max_bytes>
/// bytes" (code `io_error`).
[[nodiscard]] core::Result<std::string> read_input_file(const std::string& path,
                                                        size_t max_bytes = kMaxInputFileBytes);

}  // namespace segd::io
