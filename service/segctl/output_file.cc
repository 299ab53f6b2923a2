#include "service/segctl/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "io/replay/append_file.h"

namespace segd::segctl {

OutputFile::Buffer::Buffer(int fd) : fd_(fd) { setp(data_.data(), data_.data() + data_.size()); }

OutputFile::Buffer::int_type OutputFile::Buffer::overflow(int_type ch) {
  if (!drain()) {
    return traits_type::eof();
  }
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int OutputFile::Buffer::sync() { return drain() ? 0 : -1; }

bool OutputFile::Buffer::drain() {
  if (error_ != 0) {
    return false;
  }
  const std::string_view pending(pbase(), static_cast<size_t>(pptr() - pbase()));
  if (io::write_all(fd_, pending) < pending.size()) {
    error_ = errno;
    return false;
  }
  setp(data_.data(), data_.data() + data_.size());
  return true;
}

OutputFile::OutputFile(int fd, bool owned, std::string name)
    : fd_(fd), owned_(owned), name_(std::move(name)), buffer_(fd), stream_(&buffer_) {}

OutputFile::~OutputFile() {
  core::ignore_error(close(), "fallback: every command calls close() and reports its error");
}

core::Result<std::vector<std::unique_ptr<OutputFile>>> OutputFile::open_all(
    std::span<const io::FlagPath> destinations) {
  std::vector<std::unique_ptr<OutputFile>> files;
  std::vector<std::string> created;  // Removed again when a later destination does not open.
  for (const auto& [flag, path] : destinations) {
    if (path == "-") {
      files.push_back(standard_output());
      continue;
    }
    // No O_TRUNC: a destination after this one may not open.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      created.push_back(path);
    } else if (errno == EEXIST) {
      fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0) {
      const int error = errno;
      for (const std::string& made : created) {
        ::unlink(made.c_str());
      }
      return core::fail("io_error", flag + ": " + path + ": cannot open: " + std::strerror(error));
    }
    files.push_back(std::unique_ptr<OutputFile>(new OutputFile(fd, true, flag + ": " + path)));
  }
  for (const auto& file : files) {
    if (auto emptied = file->truncate(); !emptied) {
      return std::unexpected(emptied.error());
    }
  }
  return files;
}

core::Result<void> OutputFile::truncate() {
  struct stat st {};
  if (!owned_ || ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    return {};
  }
  if (::ftruncate(fd_, 0) != 0) {
    return core::fail("io_error", name_ + ": cannot truncate: " + std::strerror(errno));
  }
  return {};
}

std::unique_ptr<OutputFile> OutputFile::standard_output() {
  return std::unique_ptr<OutputFile>(new OutputFile(STDOUT_FILENO, false, "standard output"));
}

core::Result<void> OutputFile::close() {
  if (closed_) {
    return {};
  }
  closed_ = true;
  stream_.flush();
  int error = buffer_.error();
  // Some file systems (NFS, quotas) report a failed write only at close.
  if (owned_ && ::close(fd_) != 0 && error == 0) {
    error = errno;
  }
  if (error != 0) {
    return core::fail("io_error", name_ + ": write failed: " + std::strerror(error));
  }
  return {};
}

}  // namespace segd::segctl
