#include "service/segctl/stoppable_input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace segd::segctl {

StoppableInput::int_type StoppableInput::underflow() {
  if (gptr() < egptr()) {
    return traits_type::to_int_type(*gptr());
  }
  constexpr int kLookEveryMs = 100;
  while (stop_.load(std::memory_order_relaxed) == 0 && read_error_ == 0) {
    pollfd ready{fd_, POLLIN, 0};
    const int polled = ::poll(&ready, 1, kLookEveryMs);
    if (polled == 0 || (polled < 0 && errno == EINTR)) {
      continue;
    }
    // poll() failing otherwise (fd not pollable) leaves it to read() to say what is wrong.
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n > 0) {
      setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
      return traits_type::to_int_type(*gptr());
    }
    if (n == 0) {
      break;
    }
    if (errno != EINTR && errno != EAGAIN) {
      read_error_ = errno;
    }
  }
  return traits_type::eof();
}

}  // namespace segd::segctl
