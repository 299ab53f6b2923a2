#pragma once
// Whether paths given on a command line name one file: a command must not write over what it
// reads, or write two outputs into one file.

#include <span>
#include <string>

#include "core/common/result.h"

namespace segd::io {

/// A path given with a flag: {"--output", "out.jsonl"}.
struct FlagPath {
  std::string flag;
  std::string path;
};

/// `path` made absolute, without "." and "..", with the symlinks of the part that exists
/// resolved; a path that does not exist yet keeps its missing tail. A symlink to nothing (yet)
/// is followed: it names the file a write through it would create.
[[nodiscard]] std::string normalised_path(const std::string& path);

/// Checks that no path of `writes` names the same file as one of `reads` or as an earlier one of
/// `writes`, which the command would truncate or interleave: files compare by device and inode
/// (so a symlink or another spelling counts), paths with nothing there yet by normalised_path().
/// Regular files and missing paths are compared, and among `writes` also pipes and sockets (two
/// outputs into one pipe mix their records); a device (/dev/null for two outputs) is left alone,
/// and so are empty paths. "-" is looked at through its descriptor: standard input among
/// `reads`, standard output among `writes` (redirected to a file, which `/dev/stdout` would open
/// a second time, at its start, or a pipe); two writes to "-" are always one stream, whatever it
/// is (a terminal too). Errors: `bad_option`, "FLAG: 'PATH' is the same file as OTHER_FLAG
/// 'OTHER_PATH'", a "-" followed by "(standard input)" or "(standard output)".
[[nodiscard]] core::Result<void> check_distinct_files(std::span<const FlagPath> reads,
                                                      std::span<const FlagPath> writes);

}  // namespace segd::io
