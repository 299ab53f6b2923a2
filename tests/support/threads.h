#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace segd::test {

/// A thread of a process as /proc shows it.
struct ThreadInfo {
  pid_t tid = 0;
  std::string name;  ///< Its comm (at most 15 characters).
  int nice = 0;
};

/// The threads of this process, read from /proc/self/task/*/stat. A thread that ends while it is
/// read is left out.
[[nodiscard]] std::vector<ThreadInfo> threads_of_this_process();

/// The calling thread's nice value.
[[nodiscard]] int this_thread_nice();

}  // namespace segd::test
