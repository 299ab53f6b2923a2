#pragma once
// A file descriptor closed on every path out of the code that opened it.

#include <unistd.h>

namespace segd::io {

/// Owns an open file descriptor (from ::open) and closes it on destruction, ignoring the result:
/// code that must see close's errors (a file written and synced) checks fsync first. Not
/// copyable.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace segd::io
