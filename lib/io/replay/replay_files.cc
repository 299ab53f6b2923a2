#include "io/replay/replay_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "io/config/input_file.h"
#include "io/config/same_file.h"

namespace segd::io {
namespace {

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

// What can be told of an output path before anything is created or emptied: a directory is
// not a file, and a file's directory must exist.
core::Result<void> check_writable_path(const std::string& flag, const std::string& path) {
  if (path.empty() || path == "-") {
    return {};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return core::fail("io_error", flag + ": " + path + ": is a directory");
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    return core::fail("io_error",
                      flag + ": " + path + ": cannot open: no directory '" + parent.string() + "'");
  }
  return {};
}

}  // namespace

core::Result<void> check_replay_files(const ReplayOptions& options) {
  std::vector<FlagPath> reads;
  if (std::ranges::count(options.inputs, "-") > 1) {
    // The second would read nothing: standard input has ended by then.
    return core::fail("bad_option", "--input: '-' (standard input) given more than once");
  }
  for (const std::string& input : options.inputs) {
    if (input != "-") {
      if (auto r = check_input_file(input); !r) {
        return core::fail(r.error().code, "--input: " + r.error().message);
      }
    }
    reads.push_back({"--input", input});
  }
  // Read at the start, but a replay that wrote over it would leave segment changes as rules.
  reads.push_back({"--rules", options.rules_file});
  const std::vector<FlagPath> writes = {{"--output", options.output},
                                        {"--dead-letter", options.dead_letter}};
  const std::string state_dir = normalised_path(options.state_dir);
  for (const auto& [flag, path] : writes) {
    if (!path.empty() && path != "-" && is_within(normalised_path(path), state_dir)) {
      return core::fail("bad_option", flag + ": '" + path + "' is inside --state-dir '" +
                                          options.state_dir + "', which RocksDB owns");
    }
  }
  for (const auto& [flag, path] : writes) {
    if (auto r = check_writable_path(flag, path); !r) {
      return r;
    }
  }
  return check_distinct_files(reads, writes);
}

std::string recorded_output_path(const std::string& path) {
  return path.empty() || path == "-" ? path : normalised_path(path);
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
  const std::string committed_to = std::to_string(bytes) + " bytes the state dir committed to it";
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
