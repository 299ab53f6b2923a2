#pragma once

#include <array>
#include <memory>
#include <ostream>
#include <span>
#include <streambuf>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "io/config/same_file.h"

namespace segd::segctl {

/// Where a segctl command writes: a file it creates (or truncates), or standard output. A write
/// error can show only when the last buffered bytes are written or the file is closed, so every
/// command ends with close() and fails on its error. Non-copyable; not thread-safe.
class OutputFile {
 public:
  /// Opens every path for writing ("-" is standard output; the flag it came from, "--output",
  /// names it in messages), creating the files that do not exist, and empties them only once all
  /// are open: one that cannot be opened leaves the others' contents as they were (a file it had
  /// to create stays, empty). Errors: `io_error`, "--FLAG: PATH: cannot open: WHY" or "--FLAG:
  /// PATH: cannot truncate: WHY".
  [[nodiscard]] static core::Result<std::vector<std::unique_ptr<OutputFile>>> open_all(
      std::span<const io::FlagPath> destinations);
  /// Standard output.
  [[nodiscard]] static std::unique_ptr<OutputFile> standard_output();

  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// The stream to write to. It fails at the first write error and writes nothing after it.
  [[nodiscard]] std::ostream& stream() { return stream_; }

  /// Writes what is buffered, and closes a file. Errors: `io_error` naming the file and the first
  /// failed write's reason, "--FLAG: PATH: write failed: WHY" or "standard output: write failed:
  /// WHY". A second call does nothing.
  [[nodiscard]] core::Result<void> close();

 private:
  // Buffers and writes to a file descriptor, keeping the errno of the first failed write (an
  // std::ofstream keeps only a failbit).
  class Buffer final : public std::streambuf {
   public:
    explicit Buffer(int fd);
    [[nodiscard]] int error() const { return error_; }

   protected:
    int_type overflow(int_type ch) override;
    int sync() override;

   private:
    bool drain();

    int fd_;
    int error_ = 0;
    std::array<char, size_t{64} * 1024> data_{};
  };

  OutputFile(int fd, bool owned, std::string name);
  // Empties a regular file; a pipe or a device (/dev/null) has nothing to cut.
  [[nodiscard]] core::Result<void> truncate();

  int fd_;
  bool owned_;
  std::string name_;  // "--output: out.jsonl", or "standard output"
  Buffer buffer_;
  std::ostream stream_;
  bool closed_ = false;
};

}  // namespace segd::segctl
