#pragma once

#include <array>
#include <atomic>
#include <streambuf>

namespace segd::segctl {

/// The bytes of a file descriptor as a streambuf that ends at the end of the input, at a read
/// error, or once `stop` is nonzero (a signal handler sets it), whichever comes first. A read
/// that waits (a pipe, a terminal) looks at `stop` every 100 ms, since a signal does not end it:
/// libstdc++'s own file reads retry after EINTR. Does not own `fd`. Not thread-safe.
class StoppableInput : public std::streambuf {
 public:
  StoppableInput(int fd, const std::atomic<int>& stop) : fd_(fd), stop_(stop) {}

  /// errno of the read that failed, 0 when none did.
  [[nodiscard]] int read_error() const { return read_error_; }

 protected:
  int_type underflow() override;

 private:
  int fd_;
  const std::atomic<int>& stop_;
  int read_error_ = 0;
  std::array<char, size_t{64} * 1024> buffer_{};
};

}  // namespace segd::segctl
