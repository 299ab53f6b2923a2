#include "io/replay/replay_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <utility>

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

std::optional<FileId> from_stat(int result, const struct stat& st) {
  if (result != 0) {
    return std::nullopt;
  }
  return FileId{st.st_dev, st.st_ino, {}};
}

// "-" as an input is standard input: a file only when it was redirected from one.
std::optional<FileId> input_id(const std::string& path) {
  struct stat st {};
  if (path == "-") {
    const int result = ::fstat(STDIN_FILENO, &st);
    return S_ISREG(st.st_mode) ? from_stat(result, st) : std::nullopt;
  }
  return from_stat(::stat(path.c_str(), &st), st);
}

FileId output_id(const std::string& path) {
  struct stat st {};
  if (auto id = from_stat(::stat(path.c_str(), &st), st)) {
    return *id;
  }
  std::error_code ec;
  return FileId{0, 0, std::filesystem::weakly_canonical(path, ec).string()};
}

core::Result<void> same_file(const std::string& flag,
                             const std::string& path,
                             const std::string& other_flag,
                             const std::string& other_path) {
  return core::fail("bad_option", flag + ": '" + path + "' is the same file as " + other_flag +
                                      " '" + other_path + "'");
}

}  // namespace

core::Result<void> check_replay_files(const ReplayOptions& options) {
  std::vector<std::pair<std::string, FileId>> inputs;
  for (const std::string& input : options.inputs) {
    if (input != "-") {
      if (auto r = check_input_file(input); !r) {
        return core::fail(r.error().code, "--input: " + r.error().message);
      }
    }
    if (auto id = input_id(input)) {
      inputs.emplace_back(input, *id);
    }
  }
  std::vector<std::pair<std::string, std::string>> outputs;  // Flag and path.
  for (const auto& [flag, path] :
       {std::pair{"--output", options.output}, std::pair{"--dead-letter", options.dead_letter}}) {
    if (path.empty() || path == "-") {
      continue;
    }
    const FileId id = output_id(path);
    for (const auto& [input, input_file] : inputs) {
      if (id == input_file) {
        return same_file(flag, path, "--input", input);
      }
    }
    for (const auto& [other_flag, other_path] : outputs) {
      if (id == output_id(other_path)) {
        return same_file(flag, path, other_flag, other_path);
      }
    }
    outputs.emplace_back(flag, path);
  }
  return {};
}

}  // namespace segd::io
