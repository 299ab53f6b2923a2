#include "io/replay/replay_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "io/config/input_file.h"

namespace segd::io {
namespace {

// What makes two paths one file. A path that does not exist yet is its canonical spelling.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  std::string missing;  ///< weakly_canonical(path) when there is no file (yet).
  bool operator==(const FileId&) const = default;
};

// The file a path names, when replay could truncate or interleave it: a regular file, or a path
// with nothing there yet (then compared by its canonical spelling). "-" is standard input (an
// output "-" is not looked at). A device or a pipe (/dev/null as both outputs) is left alone.
std::optional<FileId> file_id(const std::string& path) {
  struct stat st {};
  const int result = path == "-" ? ::fstat(STDIN_FILENO, &st) : ::stat(path.c_str(), &st);
  if (result == 0) {
    return S_ISREG(st.st_mode) ? std::optional(FileId{st.st_dev, st.st_ino, {}}) : std::nullopt;
  }
  if (path == "-") {
    return std::nullopt;
  }
  std::error_code ec;
  return FileId{0, 0, std::filesystem::weakly_canonical(path, ec).string()};
}

// A path given with a flag, and its file.
struct Named {
  std::string flag;
  std::string path;
  FileId id;
};

}  // namespace

core::Result<void> check_replay_files(const ReplayOptions& options) {
  std::vector<Named> seen;
  for (const std::string& input : options.inputs) {
    if (input != "-") {
      if (auto r = check_input_file(input); !r) {
        return core::fail(r.error().code, "--input: " + r.error().message);
      }
    }
    if (auto id = file_id(input)) {
      seen.push_back({"--input", input, *id});
    }
  }
  for (const auto& [flag, path] :
       {std::pair{"--output", options.output}, std::pair{"--dead-letter", options.dead_letter}}) {
    const auto id = path.empty() || path == "-" ? std::nullopt : file_id(path);
    if (!id) {
      continue;
    }
    for (const Named& other : seen) {
      if (other.id == *id) {
        return core::fail("bad_option", std::string(flag) + ": '" + path +
                                            "' is the same file as " + other.flag + " '" +
                                            other.path + "'");
      }
    }
    seen.push_back({flag, path, *id});
  }
  return {};
}

}  // namespace segd::io
