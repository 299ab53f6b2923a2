#include "io/kafka/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace segd::io::kafka {
namespace {

constexpr const char* kInterceptor = "segd-thread-priority";

core::Error os_error(const char* call) {
  return core::Error{"thread_priority", std::string(call) + ": " + std::strerror(errno)};
}

void* as_opaque(int increment) { return reinterpret_cast<void*>(static_cast<intptr_t>(increment)); }

int from_opaque(void* opaque) { return static_cast<int>(reinterpret_cast<intptr_t>(opaque)); }

rd_kafka_resp_err_t on_thread_start(rd_kafka_t* /*rk*/,
                                    rd_kafka_thread_type_t /*type*/,
                                    const char* /*name*/,
                                    void* opaque) {
  static_cast<void>(lower_this_thread_priority(from_opaque(opaque)));
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t on_new(rd_kafka_t* rk,
                           const rd_kafka_conf_t* /*conf*/,
                           void* opaque,
                           char* /*errstr*/,
                           size_t /*errstr_size*/) {
  return rd_kafka_interceptor_add_on_thread_start(rk, kInterceptor, &on_thread_start, opaque);
}

}  // namespace

core::Result<int> lower_this_thread_priority(int increment) {
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int now = ::getpriority(PRIO_PROCESS, tid);  // -1 is a valid nice value: errno tells.
  if (now == -1 && errno != 0) {
    return std::unexpected(os_error("getpriority"));
  }
  const int lowered = std::min(kLowestPriorityNice, now + std::max(0, increment));
  if (lowered != now && ::setpriority(PRIO_PROCESS, tid, lowered) != 0) {
    return std::unexpected(os_error("setpriority"));
  }
  return lowered;
}

void lower_client_thread_priority(rd_kafka_conf_t* conf, int increment) {
  if (increment <= 0) {
    return;
  }
  // Registering under a name the configuration does not hold yet cannot fail.
  static_cast<void>(
      rd_kafka_conf_interceptor_add_on_new(conf, kInterceptor, &on_new, as_opaque(increment)));
}

}  // namespace segd::io::kafka
