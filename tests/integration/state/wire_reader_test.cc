#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "io/state/wire_format.h"

namespace segd::io::wire {
namespace {

// The varint of `v` as the wire format writes it, followed by `padding` bytes of 0x01.
std::string varint_bytes(uint64_t v, size_t padding = 0) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out + std::string(padding, '\x01');
}

// Reads one varint from `bytes`, nullopt when the reader refuses it; `after` counts the
// one-byte varints read after it, up to the end.
std::optional<uint64_t> read_varint(const std::string& bytes, size_t* after = nullptr) {
  WireReader in(bytes);
  uint64_t v = 0;
  if (!in.varint(v)) {
    return std::nullopt;
  }
  uint64_t next = 0;
  for (size_t n = 0; after != nullptr; ++n) {
    *after = n;
    if (in.at_end() || !in.varint(next)) {
      break;
    }
  }
  return v;
}

// A varint with ten or more bytes after it is read in place without a bounds check per byte; one
// near the end from a zero-padded copy. Both take the same values and refuse the same bytes.
TEST(WireReaderTest, VarintsReadTheSameNearTheEndAndFarFromIt) {
  for (const uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                           uint64_t{1'764'547'200'000}, uint64_t{1} << 63, UINT64_MAX}) {
    for (const size_t padding : {size_t{0}, size_t{3}, size_t{10}, size_t{20}}) {
      size_t after = 0;
      EXPECT_EQ(read_varint(varint_bytes(v, padding), &after), v) << v << " + " << padding;
      EXPECT_EQ(after, padding) << v << " + " << padding;  // Each padding byte is a varint.
    }
  }
}

TEST(WireReaderTest, VarintsLongerThanTenBytesOrCutShortAreRefused) {
  const std::string overlong = std::string(10, '\x80') + '\x00';  // 11 bytes.
  EXPECT_EQ(read_varint(overlong), std::nullopt);
  EXPECT_EQ(read_varint(overlong + std::string(20, '\x01')), std::nullopt);
  const std::string cut = varint_bytes(UINT64_MAX).substr(0, 9);  // Continuation bit on the end.
  EXPECT_EQ(read_varint(cut), std::nullopt);
  EXPECT_EQ(read_varint(std::string()), std::nullopt);
  // The tenth byte carries bit 63 only; protobuf drops the rest, and so does the reader.
  EXPECT_EQ(read_varint(std::string(9, '\xff') + '\x7f'), UINT64_MAX);
  EXPECT_EQ(read_varint(std::string(9, '\xff') + '\x7f' + std::string(10, '\x01')), UINT64_MAX);
}

}  // namespace
}  // namespace segd::io::wire
