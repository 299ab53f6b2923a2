#include "io/state/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#if defined(__x86_64__)
// RocksDB's own Extend, which the link wraps (lib/io/CMakeLists.txt).
extern "C" uint32_t __real__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc,
                                                           const char* data,
                                                           size_t n);
#endif

namespace segd::io {
namespace {

uint32_t crc_of(const std::string& bytes) { return crc32c_extend(0, bytes.data(), bytes.size()); }

TEST(Crc32cTest, KnownValues) {
  // The check value of CRC-32C, and RFC 3720's (iSCSI) test vectors, appendix B.4.
  EXPECT_EQ(crc_of("123456789"), 0xE3069283U);
  EXPECT_EQ(crc_of(std::string(32, '\0')), 0x8A9136AAU);
  EXPECT_EQ(crc_of(std::string(32, '\xFF')), 0x62A8AB43U);
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(crc_of(ascending), 0x46DD794EU);
  EXPECT_EQ(crc_of(descending), 0x113FDB5CU);
  EXPECT_EQ(crc_of(""), 0U);
}

TEST(Crc32cTest, TheFastPathAgreesWithThePortableOneAndExtendsAcrossSplits) {
  std::mt19937_64 rng(7);
  std::string bytes(4096 + 13, '\0');
  for (char& c : bytes) {
    c = static_cast<char>(rng());
  }
  const uint32_t whole = crc32c_extend_portable(0, bytes.data(), bytes.size());
  // Every alignment and every tail length of the 8-byte loop.
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t n :
         {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{63}, size_t{4096}}) {
      EXPECT_EQ(crc32c_extend(0x1234567U, bytes.data() + offset, n),
                crc32c_extend_portable(0x1234567U, bytes.data() + offset, n))
          << offset << " " << n;
    }
  }
  for (size_t split : {size_t{0}, size_t{1}, size_t{8}, size_t{1000}, bytes.size()}) {
    const uint32_t head = crc32c_extend(0, bytes.data(), split);
    EXPECT_EQ(crc32c_extend(head, bytes.data() + split, bytes.size() - split), whole) << split;
  }
}

#if defined(__x86_64__)
TEST(Crc32cTest, SameBitsAsRocksDbsOwn) {
  // Same values as the function it replaces: WALs written before and after read alike.
  std::mt19937_64 rng(11);
  std::string bytes(10000, '\0');
  for (char& c : bytes) {
    c = static_cast<char>(rng());
  }
  for (size_t n : {size_t{0}, size_t{3}, size_t{8}, size_t{100}, size_t{9999}}) {
    for (uint32_t seed : {0U, 0xFFFFFFFFU, 0xDEADBEEFU}) {
      EXPECT_EQ(crc32c_extend(seed, bytes.data() + 1, n),
                __real__ZN7rocksdb6crc32c6ExtendEjPKcm(seed, bytes.data() + 1, n))
          << n << " " << seed;
    }
  }
  EXPECT_TRUE(crc32c_uses_cpu_instruction()) << "an x86-64 CPU without SSE4.2";
}
#endif

}  // namespace
}  // namespace segd::io
