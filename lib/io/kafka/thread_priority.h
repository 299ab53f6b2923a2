#pragma once

#include "core/common/result.h"
#include "io/kafka/handles.h"

namespace segd::io::kafka {

/// The highest nice value Linux has: the lowest priority a thread can take.
inline constexpr int kLowestPriorityNice = 19;

/// Raises the calling thread's nice value by `increment` (>= 0), at most to 19. On Linux the nice
/// value is per thread: the rest of the process keeps its priority, and a thread the caller
/// starts afterwards inherits the new one. Under full load the scheduler then gives a shared core
/// to the process's other threads first. Returns the thread's nice value after. Errors:
/// `thread_priority` with the OS's reason (a seccomp policy that forbids setpriority, say).
[[nodiscard]] core::Result<int> lower_this_thread_priority(int increment);

/// Makes every thread the client built from `conf` starts (librdkafka's main, broker and
/// background threads) lower its own priority by `increment` as it starts, through an
/// on_thread_start interceptor. Call before make_client(); an `increment` of 0 adds nothing. A
/// thread the OS refuses it to keeps its priority (lower_this_thread_priority()'s errors cannot be
/// reported from librdkafka's threads; the caller's own thread meets the same refusal).
void lower_client_thread_priority(rd_kafka_conf_t* conf, int increment);

}  // namespace segd::io::kafka
