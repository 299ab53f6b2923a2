#include "io/replay/append_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace segd::io {
namespace {

constexpr size_t kFlushThreshold = 1 << 20;

core::Result<void> io_error(const std::string& path, const char* what) {
  return core::fail("io_error", path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

AppendFile::AppendFile(int fd, bool owned, std::string path, uint64_t size)
    : fd_(fd), owned_(owned), path_(std::move(path)), size_(size) {}

AppendFile::~AppendFile() {
  core::ignore_error(flush(), "destructor: best effort; orderly shutdown calls flush() itself");
  if (owned_) {
    ::close(fd_);
  }
}

core::Result<std::unique_ptr<AppendFile>> AppendFile::open(const std::string& path) {
  if (path == "-") {
    // Named for messages: "standard output: write failed: ...", not "-: ...".
    return std::unique_ptr<AppendFile>(new AppendFile(STDOUT_FILENO, false, "standard output", 0));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return core::fail("io_error", path + ": cannot open: " + std::strerror(errno));
  }
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) {
    // A pipe, FIFO or terminal (ESPIPE): written like standard output, from its first byte here.
    auto file = std::unique_ptr<AppendFile>(new AppendFile(fd, true, path, 0));
    file->seekable_ = false;
    return file;
  }
  return std::unique_ptr<AppendFile>(new AppendFile(fd, true, path, static_cast<uint64_t>(end)));
}

core::Result<void> AppendFile::truncate_to(uint64_t length) {
  if (!owned_ || !seekable_ || length >= size_) {
    return {};
  }
  if (auto r = flush(); !r) {
    return r;
  }
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0 ||
      ::lseek(fd_, static_cast<off_t>(length), SEEK_SET) < 0) {
    return io_error(path_, "cannot truncate");
  }
  size_ = length;
  return {};
}

void AppendFile::append_line(std::string_view line) {
  buffer_.append(line);
  buffer_.push_back('\n');
  size_ += line.size() + 1;
  if (buffer_.size() >= kFlushThreshold) {
    core::ignore_error(flush(), "a failure repeats on the explicit flush() before commit");
  }
}

core::Result<void> AppendFile::flush() {
  const size_t done = write_all(fd_, buffer_);
  if (done < buffer_.size()) {
    auto failed = io_error(path_, "write failed");  // Reads errno first.
    buffer_.erase(0, done);
    return failed;
  }
  buffer_.clear();
  return {};
}

size_t write_all(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace segd::io
