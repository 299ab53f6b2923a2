#include "io/state/state_dir.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "io/state/rocks_options.h"

namespace segd::io {
namespace {

// A fresh file system's root holds lost+found: a volume mounted as the state dir is still empty.
bool empty_but_for_lost_found(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename() != "lost+found") {
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

}  // namespace

core::Result<void> check_state_dir(const std::string& path, OpenMode mode) {
  const bool creates = mode == OpenMode::kCreate;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    // Where a file is in the way, RocksDB's open fails naming it.
    return creates ? core::Result<void>{} : core::fail("not_found", "state dir not found: " + path);
  }
  // Every RocksDB database has a CURRENT file.
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec)) {
    if (!creates) {
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
      return core::fail("state_dir_busy",
                        dir + ": open in another process (segd or segctl replay)");
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
