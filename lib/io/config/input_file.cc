#include "io/config/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "io/config/fd.h"

namespace segd::io {
namespace {

core::Error io_error(const std::string& path, const char* what) {
  return {"io_error", path + ": " + what + ": " + std::strerror(errno)};
}

// Whether `path` names a FIFO in a file system (mkfifo), not a pipe reached through /dev/stdin or
// /dev/fd/N, whose writer is there already or gone.
bool is_named_fifo(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(path, ec);
  struct stat st {};
  return !ec && ::lstat(real.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

enum class Open : uint8_t { kAtOnce, kWaitForWriter };

// Opens `path` for reading and checks what it is (see check_input_file()).
core::Result<std::unique_ptr<Fd>> open_input(const std::string& path, Open how = Open::kAtOnce) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for its writer.
  const int flags = O_RDONLY | O_CLOEXEC | (how == Open::kAtOnce ? O_NONBLOCK : 0);
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    return std::unexpected(io_error(path, "cannot open"));
  }
  auto file = std::make_unique<Fd>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return std::unexpected(io_error(path, "cannot open"));
  }
  // std::ifstream opens a directory and then reads it as an empty file.
  if (S_ISDIR(st.st_mode)) {
    return core::fail("io_error", path + ": is a directory");
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return core::fail("io_error", path + ": not a regular file or a pipe");
  }
  return file;
}

}  // namespace

core::Result<void> check_input_file(const std::string& path) {
  // A FIFO is not opened to check it: closing what may be its only reader would make its writer
  // fail (SIGPIPE) or lose what it wrote, and the real open would then wait for a writer forever.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
    if (::access(path.c_str(), R_OK) != 0) {
      return std::unexpected(io_error(path, "cannot open"));
    }
    return {};
  }
  auto file = open_input(path);
  if (!file) {
    return std::unexpected(file.error());
  }
  return {};
}

core::Result<std::string> read_input_file(const std::string& path,
                                          size_t max_bytes,
                                          FifoWriter fifo) {
  // A named FIFO opened at once reads as empty until a writer comes: that open waits for one.
  const bool named_fifo = is_named_fifo(path);
  const bool wait = fifo == FifoWriter::kWait && named_fifo;
  auto file = open_input(path, wait ? Open::kWaitForWriter : Open::kAtOnce);
  if (!file) {
    return std::unexpected(file.error());
  }
  // Back to blocking reads: a FIFO's content comes when its writer sends it.
  const int fd = (*file)->get();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string text;
  std::array<char, 65536> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n == 0) {
      // Not opened waiting and nothing read: the FIFO had no writer (one waiting to open it is
      // counted already), and its emptiness says nothing about the file meant to come through it.
      if (named_fifo && !wait && text.empty()) {
        return core::fail("io_error", path + ": a named FIFO with no writer (nothing to read)");
      }
      return text;
    }
    if (n < 0 && errno != EINTR) {
      return std::unexpected(io_error(path, "cannot read"));
    }
    if (n > 0) {
      if (static_cast<size_t>(n) > max_bytes - text.size()) {
        return core::fail("io_error",
                          path + ": larger than " + std::to_string(max_bytes) + " bytes");
      }
      text.append(buffer.data(), static_cast<size_t>(n));
    }
  }
}

}  // namespace segd::io
