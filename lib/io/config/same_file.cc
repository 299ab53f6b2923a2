#include "io/config/same_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace segd::io {
namespace {

// What makes two paths one file. A path that does not exist yet is its normalised spelling.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  std::string missing;  ///< normalised_path(path) when there is no file (yet).
  bool operator==(const FileId&) const = default;
};

// Standard output when it is neither a file nor a pipe (a terminal, /dev/null): two outputs there
// still interleave. Not a normalised path, which is absolute.
constexpr std::string_view kStandardOutput = "-";

// The file a path names when a command could truncate or interleave it: a regular file, a path
// with nothing there yet, and for a write also a pipe or a socket (two outputs into one stream
// mix their records). "-" is the standard stream `standard` (input for reads, output for writes).
// A device is left alone, but for standard output itself.
std::optional<FileId> file_id(const std::string& path, int standard, bool write) {
  struct stat st {};
  const int result = path == "-" ? ::fstat(standard, &st) : ::stat(path.c_str(), &st);
  if (result == 0 &&
      (S_ISREG(st.st_mode) || (write && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))))) {
    return FileId{st.st_dev, st.st_ino, {}};
  }
  if (path == "-") {
    return write ? std::optional(FileId{0, 0, std::string(kStandardOutput)}) : std::nullopt;
  }
  if (result == 0) {
    return std::nullopt;
  }
  return FileId{0, 0, normalised_path(path)};
}

// How an error quotes a path: `'out.jsonl'`, `'-' (standard output)`.
std::string quoted(const FlagPath& given, bool read) {
  std::string text = "'" + given.path + "'";
  if (given.path == "-") {
    text += read ? " (standard input)" : " (standard output)";
  }
  return text;
}

// A path given with a flag, and its file.
struct Named {
  const FlagPath* given;
  FileId id;
  bool read;
};

}  // namespace

std::string normalised_path(const std::string& path) {
  // weakly_canonical alone leaves a relative path whose first part does not exist relative.
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  // A symlink to nothing (yet) names the file a write through it creates; weakly_canonical
  // leaves it as it is, since its target does not exist. A loop is left after 40 links, as the
  // kernel does.
  for (int links = 0; links < 40 && std::filesystem::is_symlink(absolute, ec) &&
                      !std::filesystem::exists(absolute, ec);
       ++links) {
    const std::filesystem::path target = std::filesystem::read_symlink(absolute, ec);
    if (ec) {
      break;
    }
    absolute = absolute.parent_path() / target;  // An absolute target replaces the whole path.
  }
  return std::filesystem::weakly_canonical(absolute, ec).string();
}

core::Result<void> check_distinct_files(std::span<const FlagPath> reads,
                                        std::span<const FlagPath> writes) {
  std::vector<Named> seen;
  for (const FlagPath& read : reads) {
    if (auto id = read.path.empty() ? std::nullopt : file_id(read.path, STDIN_FILENO, false)) {
      seen.push_back({&read, *id, true});
    }
  }
  for (const FlagPath& write : writes) {
    const auto id = write.path.empty() ? std::nullopt : file_id(write.path, STDOUT_FILENO, true);
    if (!id) {
      continue;
    }
    for (const Named& other : seen) {
      if (other.id == *id) {
        return core::fail("bad_option", write.flag + ": " + quoted(write, false) +
                                            " is the same file as " + other.given->flag + " " +
                                            quoted(*other.given, other.read));
      }
    }
    seen.push_back({&write, *id, false});
  }
  return {};
}

}  // namespace segd::io
