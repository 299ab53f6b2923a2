#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "io/replay/replay_runner.h"

namespace segd::io {

/// Checks a replay's files before anything is written: every --input opens (see
/// check_input_file(); "-" is standard input), and neither --output nor --dead-letter is a path
/// inside the --state-dir (RocksDB's files; after resolving symlinks), nor the same file as an
/// input, the --rules file or each other (see check_distinct_files()), which replay would
/// truncate or interleave. An input inside the state dir is only read, and allowed. Only regular
/// files (and paths with nothing there yet) are compared: "-" for an output, or /dev/null for both,
/// is fine. An output that is a directory, or whose directory does not exist, fails here too,
/// before the state dir is created and before either output is emptied. Errors: `io_error` for
/// an input or such an output (exit 1), `bad_option` for a clash (exit 2); all name the flags and
/// the paths.
[[nodiscard]] core::Result<void> check_replay_files(const ReplayOptions& options);

/// How a state dir records the file an output length belongs to: "-" (standard output) and ""
/// (none) as they are, any other path absolute and normalised ("." and ".." gone, symlinks of
/// the directories that exist resolved), so another spelling of the same path records the same.
[[nodiscard]] std::string recorded_output_path(const std::string& path);

/// What a state dir committed about one of replay's output files. Both are nullopt in a state dir
/// no replay committed to; `path` alone is in one written before paths were recorded.
struct CommittedOutput {
  std::optional<std::string> path;  ///< recorded_output_path() of the file.
  std::optional<int64_t> bytes;     ///< Its committed length.
};

/// Checks, before a resumed replay cuts `path` (given with `flag`, "--output" or
/// "--dead-letter") back to its committed length, that it is the file that length belongs to: its
/// recorded_output_path() is the recorded one, and a regular file there holds at least the
/// committed bytes. Errors: `bad_option` for another path ("--output: the state dir's replay
/// wrote 'RECORDED', not 'GIVEN'"), `output_changed` for a shorter or missing file; both name the
/// flag and the paths.
[[nodiscard]] core::Result<void> check_committed_output(std::string_view flag,
                                                        const std::string& path,
                                                        const CommittedOutput& committed);

}  // namespace segd::io
