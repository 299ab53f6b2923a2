#include "io/pipeline/co_partitioning.h"

#include "core/common/check.h"

namespace segd::io {

core::Result<int32_t> common_partition_count(
    const std::vector<std::pair<std::string, int32_t>>& counts, std::optional<int64_t> stored) {
  CHECK(!counts.empty());
  const auto& [first_topic, count] = counts.front();
  for (const auto& [topic, n] : counts) {
    if (n != count) {
      return core::fail("partitioning",
                        "kafka.input_topics: every input topic must have the same partition "
                        "count (a customer's events of all topics are processed in one "
                        "partition), but '" +
                            first_topic + "' has " + std::to_string(count) + " and '" + topic +
                            "' has " + std::to_string(n));
    }
  }
  if (stored && *stored != count) {
    return core::fail(
        "partitioning",
        "state.dir: the state dir was built from input topics with " + std::to_string(*stored) +
            " partitions, but '" + first_topic + "' now has " + std::to_string(count) +
            "; murmur2 would move customers to other partitions and split their state. Rebuild "
            "into a fresh state dir from topics that have the new count (README: \"Changing the "
            "partition count\")");
  }
  return count;
}

}  // namespace segd::io
