#include "service/common/standard_fds.h"

#include <fcntl.h>

#include <cerrno>

namespace segd::service {

void hold_closed_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      // open() takes the lowest free number: this one, as the lower ones are open by now.
      if (::open("/dev/null", O_RDONLY) != fd) {
        return;  // Nothing better to do: the process goes on as it would have.
      }
    }
  }
}

}  // namespace segd::service
