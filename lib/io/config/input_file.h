#pragma once

#include <cstddef>
#include <cstdint>
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

/// Whether read_input_file() waits for the writer of a named FIFO (mkfifo) that has none yet. At
/// startup, as `cat` does: segd's config. Not where a wait would hold up a running daemon (a rules
/// reload): there such a FIFO is refused (see read_input_file()); read as empty, it was reported as
/// a file without content.
enum class FifoWriter : uint8_t { kDoNotWait, kWait };

/// The whole of the file at `path`, after check_input_file(); a named FIFO as `fifo` says (a
/// pipe, /dev/stdin or `<(...)`, is read at once either way). Errors: those of
/// check_input_file(), "<path>: cannot read: <reason>", "<path>: larger than <max_bytes>
/// bytes" and, for a named FIFO not waited for that ends before anything was read, "<path>: a
/// named FIFO with no writer (nothing to read)" (code `io_error`).
[[nodiscard]] core::Result<std::string> read_input_file(const std::string& path,
                                                        size_t max_bytes = kMaxInputFileBytes,
                                                        FifoWriter fifo = FifoWriter::kDoNotWait);

}  // namespace segd::io
