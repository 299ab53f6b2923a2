#include "io/pipeline/pipeline_stats.h"

#include <algorithm>

#include "core/common/partitioner.h"

namespace segd::io {

core::Result<void> check_owned(const PipelineSnapshot& s, std::string_view customer_id) {
  if (!s.assigned || s.partition_count <= 0) {
    return core::fail("not_ready", "this instance owns no partitions (yet)");
  }
  const int32_t p = core::partition_for_key(customer_id, s.partition_count).value();
  if (!s.owned_partitions.contains(p)) {
    return core::fail("not_assigned", "the customer's partition " + std::to_string(p) +
                                          " is owned by another instance of the group");
  }
  // Until then the state is behind the input: a read is stale (a customer not seen yet is
  // "unknown"), and an erasure would be undone by the events still to be read.
  if (!s.caught_up) {
    return core::fail("not_ready",
                      "catching up: the partitions assigned to this instance are still being "
                      "read to their end; retry once /readyz answers 200");
  }
  return {};
}

int64_t erasure_time_ms(const PipelineSnapshot& s, std::string_view customer_id, int64_t now_ms) {
  if (s.partition_count <= 0) {
    return now_ms;
  }
  const int32_t p = core::partition_for_key(customer_id, s.partition_count).value();
  const auto it = s.stream_time_ms.find(p);
  return it != s.stream_time_ms.end() && it->second > 0 ? it->second + 1 : now_ms;
}

}  // namespace segd::io
