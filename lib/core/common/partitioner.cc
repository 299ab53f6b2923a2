#include "core/common/partitioner.h"

#include "core/common/check.h"

namespace segd::core {
namespace {

constexpr uint32_t kSeed = 0x9747b28c;
constexpr uint32_t kMix = 0x5bd1e995;
constexpr int kShift = 24;

// Little-endian read regardless of host order: Kafka defines the hash over the byte sequence.
uint32_t load_le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

uint32_t kafka_murmur2(std::string_view key) {
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t len = key.size();
  // The Java client seeds with `seed ^ length` where length is an int; keys are far below 2^31.
  uint32_t h = kSeed ^ static_cast<uint32_t>(len);
  const size_t blocks = len / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = load_le32(data + 4 * i);
    k *= kMix;
    k ^= k >> kShift;
    k *= kMix;
    h *= kMix;
    h ^= k;
  }
  const unsigned char* tail = data + 4 * blocks;
  switch (len % 4) {
    case 3:
      h ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(tail[0]);
      h *= kMix;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kMix;
  h ^= h >> 15;
  return h;
}

PartitionId partition_for_key(std::string_view key, int32_t partition_count) {
  CHECK(partition_count > 0);
  const uint32_t positive = kafka_murmur2(key) & 0x7fffffffU;
  return PartitionId{static_cast<int32_t>(positive % static_cast<uint32_t>(partition_count))};
}

}  // namespace segd::core
