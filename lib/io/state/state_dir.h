#pragma once
// What RocksStore::open checks at a state dir's path before it opens the database there, the
// marker a writer puts there before creating one, and the lock its read-only open holds
// (STORAGE.md, "State dirs").

#include <cstdint>
#include <string>

#include "core/common/result.h"

namespace segd::io {

/// The file a writer puts in a directory before it creates a state dir there: a directory holding
/// it is segd's, however far its creation got.
inline constexpr const char* kStateDirMarker = "SEGD_STATE_DIR";

/// How RocksStore::open treats the directory at StoreConfig::path.
enum class OpenMode : uint8_t {
  /// Opens the segd state dir there, or creates one where there is no directory or an empty one
  /// (a `lost+found` alone counts as empty: a fresh volume's), or finishes creating one in a
  /// directory holding kStateDirMarker (its writer was killed). Anything else is refused, so that
  /// segd and `segctl replay` never adopt another program's directory or database.
  kCreate,
  /// Opens an existing segd state dir for reading and writing; creates nothing.
  kExisting,
  /// Opens an existing segd state dir read-only: nothing is written there (no WAL, MANIFEST,
  /// OPTIONS or info log file, no flush on close; commits not yet flushed are read from the WAL
  /// into memory), and it fails while another process has the database open for writing.
  kReadOnly,
};

/// Checks that RocksStore::open may open `path` in `mode`: a segd state dir is there (a RocksDB
/// database with all of segd's column families, marked or from before the marker), or, for
/// kCreate, nothing, an empty directory or a marked one. Reads RocksDB's CURRENT and MANIFEST
/// files only. Errors: `not_found` for kExisting and kReadOnly ("state dir not found: DIR",
/// "state dir not found: DIR (no RocksDB database in it)"); `state_dir_incomplete` for them on a
/// marked directory without the whole database ("state dir DIR was not completely created; start
/// segd or segctl replay on it to finish"); `not_a_state_dir` ("not a segd state dir: DIR (not
/// empty, and no RocksDB database in it)", "not a segd state dir: DIR (a RocksDB database without
/// segd's column families customers, ...)"); `storage_error` when the database's column families
/// cannot be listed.
[[nodiscard]] core::Result<void> check_state_dir(const std::string& path, OpenMode mode);

/// For kCreate, once check_state_dir() passed and before RocksDB writes anything: creates the
/// directory `path` where there is none (not its parents) and puts kStateDirMarker in it unless it
/// is there, written whole (a temp file synced, then renamed) and on disk (the directory synced),
/// so that a creation cut short is finished by the next writer. Errors: `io_error` naming the
/// directory or file and the reason.
[[nodiscard]] core::Result<void> mark_state_dir(const std::string& path);

/// `state_dir_busy`: "DIR: open in another process (segd or segctl)", what a read-only open
/// and a second writer are refused with while a writer has the database in `dir` open.
[[nodiscard]] core::Error state_dir_busy(const std::string& dir);

/// A shared lock (fcntl) on the LOCK file of the RocksDB database in a directory, which RocksDB's
/// writers lock exclusively: while it is held no writer opens the database, and it cannot be
/// taken while a writer has it open. fcntl locks belong to the process, so a process must not
/// hold one beside a writer of the same database. Move-only; released on destruction.
class SharedDbLock {
 public:
  /// Holds nothing.
  SharedDbLock() = default;
  /// Locks `dir`/LOCK. A database without a LOCK file (copied without it) has no writer: the lock
  /// then holds nothing. Errors: state_dir_busy(), `io_error` naming the file.
  [[nodiscard]] static core::Result<SharedDbLock> acquire(const std::string& dir);

  SharedDbLock(SharedDbLock&& other) noexcept;
  SharedDbLock& operator=(SharedDbLock&& other) noexcept;
  SharedDbLock(const SharedDbLock&) = delete;
  SharedDbLock& operator=(const SharedDbLock&) = delete;
  ~SharedDbLock();

 private:
  explicit SharedDbLock(int fd) : fd_(fd) {}

  int fd_ = -1;
};

}  // namespace segd::io
