#include "io/replay/replay_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "io/config/input_file.h"

namespace segd::io {
namespace {

// `path` absolute, without "." and "..", with the symlinks of its existing part resolved.
// (weakly_canonical alone leaves a relative path whose first part does not exist relative.)
std::string normalised(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return std::filesystem::weakly_canonical(absolute, ec).string();
}

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
  return FileId{0, 0, normalised(path)};
}

// A recorded output path in a message.
std::string shown(const std::string& recorded) {
  if (recorded == "-") {
    return "standard output";
  }
  return recorded.empty() ? "none" : "'" + recorded + "'";
}

// Whether normalised `path` is `dir` or a path under it.
bool is_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const std::filesystem::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != "..";
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
  // Read at the start, but a replay that wrote over it would leave segment changes as rules.
  if (auto id = options.rules_file.empty() ? std::nullopt : file_id(options.rules_file)) {
    seen.push_back({"--rules", options.rules_file, *id});
  }
  const std::string state_dir = normalised(options.state_dir);
  for (const auto& [flag, path] :
       {std::pair{"--output", options.output}, std::pair{"--dead-letter", options.dead_letter}}) {
    if (path.empty() || path == "-") {
      continue;
    }
    if (is_within(normalised(path), state_dir)) {
      return core::fail("bad_option", std::string(flag) + ": '" + path +
                                          "' is inside --state-dir '" + options.state_dir +
                                          "', which RocksDB owns");
    }
    const auto id = file_id(path);
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

std::string recorded_output_path(const std::string& path) {
  return path.empty() || path == "-" ? path : normalised(path);
}

core::Result<void> check_committed_output(std::string_view flag,
                                          const std::string& path,
                                          const CommittedOutput& committed) {
  const std::string given = recorded_output_path(path);
  if (committed.path && *committed.path != given) {
    return core::fail("bad_option", std::string(flag) + ": the state dir's replay wrote " +
                                        shown(*committed.path) + ", not " + shown(given) +
                                        "; a replay goes on with the files it started (give " +
                                        "that one, or use a fresh --state-dir)");
  }
  const int64_t bytes = committed.bytes.value_or(0);
  if (bytes <= 0 || given.empty() || given == "-") {
    return {};
  }
  struct stat st {};
  const std::string committed_to = std::to_string(bytes) + " the state dir committed to it";
  if (::stat(path.c_str(), &st) != 0) {
    // Any other reason to fail shows when the file is opened.
    return errno == ENOENT
               ? core::fail("output_changed", std::string(flag) + ": " + shown(given) +
                                                  " is gone, and held the " + committed_to)
               : core::Result<void>{};
  }
  if (S_ISREG(st.st_mode) && st.st_size < bytes) {
    return core::fail("output_changed", std::string(flag) + ": " + shown(given) + " has " +
                                            std::to_string(st.st_size) + " bytes, fewer than the " +
                                            committed_to +
                                            ": it was changed since (use a fresh --state-dir)");
  }
  return {};
}

}  // namespace segd::io
