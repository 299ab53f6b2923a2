#include "io/state/state_dir.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "io/config/fd.h"
#include "io/state/rocks_options.h"

namespace segd::io {
namespace {

// What a writer killed while writing the marker leaves: not yet a sign that the directory is
// segd's, and no reason to refuse it either. One per process: two writers creating one state dir
// at once must not rename each other's file away (the loser then failed with "cannot rename"
// instead of state_dir_busy).
std::string marker_temp_prefix() { return std::string(kStateDirMarker) + ".tmp"; }
std::string marker_temp(const std::string& dir) {
  return dir + "/" + marker_temp_prefix() + "." + std::to_string(::getpid());
}

bool has_marker(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / kStateDirMarker, ec);
}

// Every RocksDB database has a CURRENT file, written once the database exists.
bool has_database(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
}

// A RocksDB file name: digits, then `suffix`.
bool numbered(std::string_view name, std::string_view suffix) {
  if (!name.ends_with(suffix) || name.size() == suffix.size()) {
    return false;
  }
  name.remove_suffix(suffix.size());
  return std::ranges::all_of(name, [](char c) { return c >= '0' && c <= '9'; });
}

bool is_table_file(std::string_view name) {
  return numbered(name, ".sst") || numbered(name, ".ldb");
}

// The first (by name) file in `dir` that `wanted` accepts; empty when there is none.
std::string first_file(const std::string& dir, bool (*wanted)(std::string_view name)) {
  std::string first;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (wanted(name) && (first.empty() || name < first)) {
      first = name;
    }
  }
  return first;
}

// The first of the files only a database that was once complete has: table files, WALs, and
// MANIFESTs after the first (a creation cut short before CURRENT leaves MANIFEST-000001 at most).
std::string first_data_file(const std::string& dir) {
  return first_file(dir, [](std::string_view name) {
    return is_table_file(name) || numbered(name, ".log") ||
           (name.starts_with("MANIFEST-") && name != "MANIFEST-000001");
  });
}

// A fresh file system's root holds lost+found: a volume mounted as the state dir is still empty,
// as is a directory where a writer was killed while writing the marker.
bool empty_but_for_lost_found(const std::string& dir) {
  const std::string temp = marker_temp_prefix();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name != "lost+found" && !name.starts_with(temp)) {
      return false;
    }
  }
  return !ec;
}

// segd's column families the database at `dir` lacks, comma-separated; empty when it has all.
core::Result<std::string> missing_families(const std::string& dir) {
  std::vector<std::string> names;
  const rocksdb::Status status = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!status.ok()) {
    return core::fail("storage_error", "list column families of " + dir + ": " + status.ToString());
  }
  std::string missing;
  for (const char* family : family_names()) {
    if (std::ranges::find(names, family) == names.end()) {
      missing += (missing.empty() ? "" : ", ") + std::string(family);
    }
  }
  return missing;
}

core::Error damaged(const std::string& path, const std::string& what) {
  return {"state_dir_damaged",
          "state dir " + path + " " + what +
              ": its database is damaged, and segd and segctl do not create a new one over it; "
              "restore the directory from a backup, or move it away to start afresh"};
}

// A marked directory is segd's: a writer finishes its creation wherever it stopped (RocksDB's
// create_if_missing and create_missing_column_families do), a reader may only say so.
core::Result<void> check_marked(const std::string& path, OpenMode mode) {
  const auto incomplete = [&path] {
    return core::fail("state_dir_incomplete",
                      "state dir " + path +
                          " was not completely created; start segd or segctl replay on it to "
                          "finish");
  };
  if (!has_database(path)) {
    // Not a creation cut short but a database that lost its CURRENT: RocksDB would create a new,
    // empty one over it (and delete the old files as obsolete).
    if (const std::string data = first_data_file(path); !data.empty()) {
      return std::unexpected(
          damaged(path, "holds RocksDB data (" + data + ") but no CURRENT file"));
    }
    return mode == OpenMode::kCreate ? core::Result<void>{} : incomplete();
  }
  auto missing = missing_families(path);
  if (!missing) {
    return std::unexpected(missing.error());
  }
  if (missing->empty()) {
    return {};
  }
  // A creation makes every family before its first write, and table files come only from the
  // flushes and compactions of writes: tables beside missing families mean a MANIFEST that lost
  // them. A writer would create the families afresh and delete the tables as obsolete, silently
  // starting over. (A later version that adds a family must not count it here.)
  if (const std::string table = first_file(path, is_table_file); !table.empty()) {
    return std::unexpected(damaged(path, "holds table files (" + table +
                                             ") but its database lacks segd's column families " +
                                             *missing));
  }
  return mode == OpenMode::kCreate ? core::Result<void>{} : incomplete();
}

// Without the marker (a state dir from before it, or none): only a complete database is segd's.
core::Result<void> check_unmarked(const std::string& path, OpenMode mode) {
  if (!has_database(path)) {
    if (mode != OpenMode::kCreate) {
      return core::fail("not_found",
                        "state dir not found: " + path + " (no RocksDB database in it)");
    }
    return empty_but_for_lost_found(path)
               ? core::Result<void>{}
               : core::fail("not_a_state_dir", "not a segd state dir: " + path +
                                                   " (not empty, and no RocksDB database in it)");
  }
  auto missing = missing_families(path);
  if (!missing) {
    return std::unexpected(missing.error());
  }
  if (!missing->empty()) {
    return core::fail("not_a_state_dir",
                      "not a segd state dir: " + path +
                          " (a RocksDB database without segd's column families " + *missing + ")");
  }
  return {};
}

core::Error io_error(const std::string& path, const std::string& what, int error) {
  return {"io_error", path + ": " + what + ": " + std::strerror(error)};
}

// As RocksDB created it before: the directory itself, not its parents.
core::Result<void> make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) {
    return {};
  }
  const int error = errno;
  if (error != EEXIST) {
    return std::unexpected(io_error("state dir " + path, "cannot create", error));
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return {};
  }
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    return core::fail("io_error", "state dir " + path + ": a symbolic link to '" +
                                      std::filesystem::read_symlink(path, ec).string() +
                                      "', which is not a directory");
  }
  return core::fail("io_error", "state dir " + path + ": a file, not a directory");
}

// `text` in `path`, on disk once this returns.
core::Result<void> write_synced(const std::string& path, std::string_view text) {
  const int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (raw < 0) {
    return std::unexpected(io_error(path, "cannot create", errno));
  }
  const Fd fd(raw);
  const ssize_t written = ::write(fd.get(), text.data(), text.size());
  if (written != static_cast<ssize_t>(text.size())) {
    // A short write of a few bytes on a regular file: the disk is full.
    return std::unexpected(io_error(path, "write failed", written < 0 ? errno : ENOSPC));
  }
  if (::fsync(fd.get()) != 0) {
    return std::unexpected(io_error(path, "fsync failed", errno));
  }
  return {};
}

// Makes the directory's entries (a renamed file) survive an OS crash.
core::Result<void> sync_directory(const std::string& dir) {
  const int raw = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) {
    return std::unexpected(io_error(dir, "cannot open", errno));
  }
  const Fd fd(raw);
  if (::fsync(fd.get()) != 0) {
    return std::unexpected(io_error(dir, "fsync failed", errno));
  }
  return {};
}

constexpr std::string_view kMarkerText =
    "segd state dir: segd and segctl replay write this file before they create the RocksDB "
    "database here, and finish a creation cut short in a directory holding it "
    "(lib/io/state/STORAGE.md, \"State dirs\").\n";

}  // namespace

core::Result<void> check_state_dir(const std::string& path, OpenMode mode) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    // Where a file is in the way, mark_state_dir() fails naming it.
    return mode == OpenMode::kCreate ? core::Result<void>{}
                                     : core::fail("not_found", "state dir not found: " + path);
  }
  if (has_marker(path)) {
    return check_marked(path, mode);
  }
  auto unmarked = check_unmarked(path, mode);
  // A writer creating this state dir at the same moment marks it before it writes anything else
  // (mark_state_dir() comes before RocksDB's files): what made it look foreign was that writer's
  // work, so it is judged as marked after all.
  if (!unmarked && has_marker(path)) {
    return check_marked(path, mode);
  }
  return unmarked;
}

core::Result<void> mark_state_dir(const std::string& path) {
  if (auto made = make_directory(path); !made) {
    return made;
  }
  if (has_marker(path)) {
    return {};
  }
  const std::string temp = marker_temp(path);
  if (auto written = write_synced(temp, kMarkerText); !written) {
    return written;
  }
  const std::string marker = path + "/" + kStateDirMarker;
  if (::rename(temp.c_str(), marker.c_str()) != 0) {
    return std::unexpected(io_error(marker, "cannot rename " + temp + " to it", errno));
  }
  return sync_directory(path);
}

core::Error state_dir_busy(const std::string& dir) {
  return core::Error{"state_dir_busy", dir + ": open in another process (segd or segctl)"};
}

core::Result<SharedDbLock> SharedDbLock::acquire(const std::string& dir) {
  const std::string file = dir + "/LOCK";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT
               ? core::Result<SharedDbLock>(SharedDbLock())
               : core::fail("io_error", file + ": cannot open: " + std::strerror(errno));
  }
  SharedDbLock lock(fd);
  struct flock shared {};
  shared.l_type = F_RDLCK;
  shared.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &shared) != 0) {
    if (errno == EACCES || errno == EAGAIN) {
      return std::unexpected(state_dir_busy(dir));
    }
    return core::fail("io_error", file + ": cannot lock: " + std::strerror(errno));
  }
  return lock;
}

SharedDbLock::SharedDbLock(SharedDbLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

SharedDbLock& SharedDbLock::operator=(SharedDbLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);  // Releases the lock.
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SharedDbLock::~SharedDbLock() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

}  // namespace segd::io
