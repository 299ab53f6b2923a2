#include "support/threads.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace segd::test {
namespace {

constexpr int kNiceAfterComm = 16;  // stat's field 19, counted from field 3 (the state).

}  // namespace

std::vector<ThreadInfo> threads_of_this_process() {
  std::vector<ThreadInfo> threads;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) {
      continue;
    }
    // "tid (comm) state ...": the comm may hold spaces and parentheses, the last ')' ends it.
    const size_t open = stat.find('(');
    const size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) {
      continue;
    }
    ThreadInfo info;
    info.tid = static_cast<pid_t>(std::stol(stat.substr(0, open)));
    info.name = stat.substr(open + 1, close - open - 1);
    std::istringstream rest(stat.substr(close + 1));
    std::string field;
    for (int i = 0; i <= kNiceAfterComm && rest >> field; ++i) {
      if (i == kNiceAfterComm) {
        info.nice = std::stoi(field);
        threads.push_back(info);
      }
    }
  }
  return threads;
}

int this_thread_nice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

}  // namespace segd::test
