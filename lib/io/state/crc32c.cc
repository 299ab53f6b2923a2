#include "io/state/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace segd::io {
namespace {

// The reflected Castagnoli polynomial.
constexpr uint32_t kPolynomial = 0x82F63B78U;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) {
      c = (c & 1U) != 0 ? (c >> 1) ^ kPolynomial : c >> 1;
    }
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extend_with_instruction(uint32_t crc,
                                                                   const char* data,
                                                                   size_t n) {
  uint64_t c = ~crc;
  for (; n >= 8; data += 8, n -= 8) {
    uint64_t word = 0;
    std::memcpy(&word, data, sizeof word);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; ++data, --n) {
    c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(*data));
  }
  return ~c32;
}

const bool kHasInstruction = [] {
  __builtin_cpu_init();  // Static initializers may run before libgcc's own.
  return __builtin_cpu_supports("sse4.2") != 0;
}();
#else
const bool kHasInstruction = false;
#endif

}  // namespace

uint32_t crc32c_extend_portable(uint32_t crc, const char* data, size_t n) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < n; ++i) {
    c = kTable[(c ^ static_cast<uint8_t>(data[i])) & 0xFFU] ^ (c >> 8);
  }
  return ~c;
}

uint32_t crc32c_extend(uint32_t crc, const char* data, size_t n) {
#if defined(__x86_64__)
  if (kHasInstruction) {
    return extend_with_instruction(crc, data, n);
  }
#endif
  return crc32c_extend_portable(crc, data, n);
}

bool crc32c_uses_cpu_instruction() { return kHasInstruction; }

}  // namespace segd::io

#if defined(__x86_64__)
// RocksDB's calls of rocksdb::crc32c::Extend(uint32_t, const char*, size_t) land here: the link
// wraps that symbol (lib/io/CMakeLists.txt). Only calls from outside RocksDB's crc32c.cc are
// redirected; none inside it call Extend.
// NOLINTNEXTLINE(bugprone-reserved-identifier,readability-identifier-naming): --wrap's name.
extern "C" uint32_t __wrap__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc,
                                                           const char* data,
                                                           size_t n) {
  return segd::io::crc32c_extend(crc, data, n);
}
#endif
