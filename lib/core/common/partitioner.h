#pragma once

#include <cstdint>
#include <string_view>

#include "core/common/strong_int.h"

namespace segd::core {

/// The most partitions a state dir may be split by: `segctl replay --partitions`' upper bound,
/// and the bound a stored count is checked against.
inline constexpr int32_t kMaxPartitions = 100000;

/// The 32-bit MurmurHash2 used by Kafka's default partitioner (seed 0x9747b28c), byte for byte
/// the Java client's `Utils.murmur2` and librdkafka's `rd_murmur2`. Pure, thread-safe.
[[nodiscard]] uint32_t kafka_murmur2(std::string_view key);

/// The partition a keyed message lands in under Kafka's default partitioner: the Java client's
/// and librdkafka's `murmur2` / `murmur2_random` (`(murmur2(key) & 0x7fffffff) % count`).
/// Messages without a key are spread randomly by those clients and are not covered here.
/// Requires `partition_count > 0` (CHECK). Pure, thread-safe.
[[nodiscard]] PartitionId partition_for_key(std::string_view key, int32_t partition_count);

}  // namespace segd::core
