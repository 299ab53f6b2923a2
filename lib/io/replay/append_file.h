#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace segd::io {

/// Writes all of `bytes` to `fd`, writing again after a short or interrupted (EINTR) write.
/// Returns how many bytes were written: fewer than bytes.size() after a failed write, with errno
/// as that write left it.
[[nodiscard]] size_t write_all(int fd, std::string_view bytes);

/// A buffered, append-only output file whose committed length can be restored after a crash:
/// segctl writes output first, then commits the new length with the state, and on restart
/// truncates back to the committed length. "-" means standard output; it, and a path that is a
/// pipe, FIFO or terminal, is never truncated.
class AppendFile {
 public:
  /// Opens (creating) `path` for appending. Errors: code `io_error` naming the path (standard
  /// output as "standard output").
  [[nodiscard]] static core::Result<std::unique_ptr<AppendFile>> open(const std::string& path);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  /// Drops everything after `length` bytes (no-op for standard output and other unseekable
  /// files).
  [[nodiscard]] core::Result<void> truncate_to(uint64_t length);
  /// Buffers `line` plus a newline.
  void append_line(std::string_view line);
  /// Hands everything buffered to the kernel (enough to survive the process being killed).
  [[nodiscard]] core::Result<void> flush();
  /// Bytes written so far, including what is still buffered.
  [[nodiscard]] uint64_t size() const { return size_; }

 private:
  AppendFile(int fd, bool owned, std::string path, uint64_t size);

  int fd_;
  bool owned_;
  std::string path_;
  uint64_t size_;
  bool seekable_ = true;
  std::string buffer_;
};

}  // namespace segd::io
