#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace segd::io {

/// The partition count every input topic shares. A customer's events of all input topics must
/// land in one partition, and stay in the partition the state dir holds them under: murmur2 of
/// the customer id modulo the count decides it, so the count must be the same for every input
/// topic and the same as when the state dir was built.
///
/// `counts`: (topic, partition count) of each input topic that exists, in config order (at least
/// one). `stored`: the count the state dir was built with (meta `partitions`), nullopt for a
/// fresh state dir. Errors: `partitioning`, naming the topics, the counts and the config key.
/// Pure.
[[nodiscard]] core::Result<int32_t> common_partition_count(
    const std::vector<std::pair<std::string, int32_t>>& counts, std::optional<int64_t> stored);

}  // namespace segd::io
