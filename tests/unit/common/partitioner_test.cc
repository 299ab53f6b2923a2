#include "core/common/partitioner.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace segd::core {
namespace {

struct HashVector {
  std::string_view key;
  int32_t java_hash;  // Utils.murmur2() of the Java client, as a signed int.
};

// Values checked against librdkafka 2.0.2's rd_kafka_msg_partitioner_murmur2 and the Java
// client's published test vectors; lengths 0..3 mod 4 cover every tail case.
constexpr HashVector kVectors[] = {
    {"", 275646681},
    {"a", -1563381124},
    {"ab", 316155434},
    {"abc", 479470107},
    {"1234", -1614185708},
    {"21", -973932308},
    {"kafka", -798503068},
    {"foobar", -790332482},
    {"giberish123456789", -1890243828},
    {"a-little-bit-long-string", -985981536},
    {"PreAmbleWillBeRemoved,ThePrePartThatIs", 2017611548},
};

TEST(PartitionerTest, Murmur2MatchesJavaClientVectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2(v.key)), v.java_hash) << v.key;
  }
}

TEST(PartitionerTest, PartitionIsPositiveHashModuloCount) {
  for (const auto& v : kVectors) {
    const auto positive = static_cast<uint32_t>(v.java_hash) & 0x7fffffffU;
    for (int32_t count : {1, 3, 6, 7, 64}) {
      EXPECT_EQ(partition_for_key(v.key, count).value(),
                static_cast<int32_t>(positive % static_cast<uint32_t>(count)))
          << v.key << " / " << count;
    }
  }
}

TEST(PartitionerTest, KnownKeysLandInLibrdkafkaPartitions) {
  // Observed with librdkafka's murmur2 partitioner for 6 and 7 partitions.
  EXPECT_EQ(partition_for_key("c42", 6), PartitionId{0});
  EXPECT_EQ(partition_for_key("c42", 7), PartitionId{4});
  EXPECT_EQ(partition_for_key("customer-000001", 6), PartitionId{2});
  EXPECT_EQ(partition_for_key("customer-000001", 7), PartitionId{5});
  EXPECT_EQ(partition_for_key("kafka", 7), PartitionId{3});
}

TEST(PartitionerTest, HashesBytesNotCharacters) {
  // Keys are raw bytes: an embedded NUL and high-bit bytes change the hash.
  constexpr std::string_view kWithNul{"ab\0c", 4};
  EXPECT_NE(kafka_murmur2(kWithNul), kafka_murmur2("ab"));
  EXPECT_NE(kafka_murmur2("\xff\xfe"), kafka_murmur2("\x7f\x7e"));
  EXPECT_EQ(kafka_murmur2(kWithNul), kafka_murmur2(std::string_view{"ab\0c", 4}));
}

}  // namespace
}  // namespace segd::core
