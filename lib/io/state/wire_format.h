#pragma once
// The protobuf wire format, written by hand for the messages segd writes on every commit
// (state_codec.cc): WireSize counts what WireWriter writes, and encode_with() runs a field
// writer over both. Also WireReader, which state_codec.cc's scalar-field decoder walks stored
// states with, and the tag helpers both sides share.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "core/common/check.h"

namespace segd::io::wire {

// Protobuf wire types (encoding spec): a tag is field_number << 3 | wire type.
enum class WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

inline WireType wire_type(uint32_t tag) { return static_cast<WireType>(tag & 7); }
inline int field_number(uint32_t tag) { return static_cast<int>(tag >> 3); }

inline size_t varint_size(uint64_t v) {
  return (static_cast<size_t>(std::bit_width(v | 1)) + 6) / 7;
}

inline size_t tag_size(int field) { return varint_size(static_cast<uint64_t>(field) << 3); }

// The protobuf wire formats of segd.v1.CustomerState and SegmentChange are written directly, byte
// for byte what protobuf's own serializer writes for the same values (fields in number order,
// proto3 defaults left out, numeric lists packed): a commit encodes every changed customer and
// every change, and filling a message object first took twice as long. StateCodecTest compares
// the two on varied values. Each write_*() runs twice (encode_with), over a WireSize (the exact
// length, so the string is allocated once) and then over a WireWriter (the bytes).

// Counts the bytes that WireWriter would write.
class WireSize {
 public:
  void int64_field(int field, int64_t v) {
    if (v != 0) {
      n_ += tag_size(field) + varint_size(static_cast<uint64_t>(v));
    }
  }
  void double_field(int field, double v) {
    if (std::bit_cast<uint64_t>(v) != 0) {
      n_ += tag_size(field) + 8;
    }
  }
  void bytes_field(int field, std::string_view v) {
    if (!v.empty()) {
      length_delimited(field, v);
    }
  }
  void length_delimited(int field, std::string_view v) { delimited(field, v.size()); }
  void packed_int64(int field, std::span<const int64_t> values) {
    if (!values.empty()) {
      delimited(field, packed_varints_size(values));
    }
  }
  template <typename T>
  void packed_fixed64(int field, std::span<const T> values) {
    if (!values.empty()) {
      delimited(field, values.size() * 8);
    }
  }
  template <typename WriteFields>
  void message(int field, WriteFields fields) {
    delimited(field, size_of(fields));
  }

  template <typename WriteFields>
  static size_t size_of(WriteFields fields) {
    WireSize inner;
    fields(inner);
    return inner.n_;
  }
  static size_t packed_varints_size(std::span<const int64_t> values) {
    size_t length = 0;
    for (const int64_t v : values) {
      length += varint_size(static_cast<uint64_t>(v));
    }
    return length;
  }
  [[nodiscard]] size_t bytes() const { return n_; }

 private:
  void delimited(int field, size_t length) { n_ += tag_size(field) + varint_size(length) + length; }

  size_t n_ = 0;
};

// Writes the fields at a cursor into a buffer sized by WireSize.
class WireWriter {
 public:
  explicit WireWriter(char* at) : at_(at) {}

  void int64_field(int field, int64_t v) {
    if (v != 0) {
      tag(field, WireType::kVarint);
      varint(static_cast<uint64_t>(v));
    }
  }
  // For a double, any set bit counts as not the default, so -0.0 is written, as protobuf does.
  void double_field(int field, double v) {
    if (const auto bits = std::bit_cast<uint64_t>(v); bits != 0) {
      tag(field, WireType::kFixed64);
      fixed64(bits);
    }
  }
  void bytes_field(int field, std::string_view v) {
    if (!v.empty()) {
      length_delimited(field, v);
    }
  }
  // One element of a repeated bytes field: written even when empty.
  void length_delimited(int field, std::string_view v) {
    tag(field, WireType::kLengthDelimited);
    varint(v.size());
    std::memcpy(at_, v.data(), v.size());
    at_ += v.size();
  }
  void packed_int64(int field, std::span<const int64_t> values) {
    if (values.empty()) {
      return;
    }
    tag(field, WireType::kLengthDelimited);
    varint(WireSize::packed_varints_size(values));
    for (const int64_t v : values) {
      varint(static_cast<uint64_t>(v));
    }
  }
  template <typename T>  // double or uint64_t
  void packed_fixed64(int field, std::span<const T> values) {
    if (values.empty()) {
      return;
    }
    tag(field, WireType::kLengthDelimited);
    varint(values.size() * 8);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(at_, values.data(), values.size() * 8);  // Already the wire's byte order.
      at_ += values.size() * 8;
    } else {
      for (const T v : values) {
        fixed64(std::bit_cast<uint64_t>(v));
      }
    }
  }
  // One element of a repeated message field: `fields(sink)` writes its fields to either sink.
  // Its length goes before its fields but is known only once they are written: one byte is kept
  // for it (messages under 128 bytes, nearly all), and the fields of a longer one move up to make
  // room. Counting them first instead ran every nested message's fields three times.
  template <typename WriteFields>
  void message(int field, WriteFields fields) {
    tag(field, WireType::kLengthDelimited);
    char* const length_at = at_++;
    fields(*this);
    const auto length = static_cast<size_t>(at_ - length_at - 1);
    if (length < 0x80) {
      *length_at = static_cast<char>(length);
      return;
    }
    // Still inside the buffer: WireSize counted the longer length, and the fields end earlier.
    const size_t shift = varint_size(length) - 1;
    std::memmove(length_at + 1 + shift, length_at + 1, length);
    at_ = length_at;
    varint(length);
    at_ += length;
  }
  [[nodiscard]] const char* at() const { return at_; }

 private:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      *at_++ = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    *at_++ = static_cast<char>(v);
  }
  void tag(int field, WireType type) {
    varint(static_cast<uint64_t>(field) << 3 | static_cast<uint32_t>(type));
  }
  void fixed64(uint64_t v) {  // Little-endian.
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(at_, &v, 8);
      at_ += 8;
    } else {
      for (int i = 0; i < 8; ++i) {
        *at_++ = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
      }
    }
  }

  char* at_;
};

// Runs `write(sink)` over a WireSize, then over a WireWriter into a string of exactly that size.
template <typename Write>
std::string encode_with(Write write) {
  WireSize size;
  write(size);
  std::string out(size.bytes(), '\0');
  WireWriter writer(out.data());
  write(writer);
  CHECK(writer.at() == out.data() + out.size());
  return out;
}

// Reads the protobuf wire format from a byte range, bounds-checked: every read returns false on
// truncated or malformed input (a varint over 10 bytes, a length past the end) and then leaves
// the reader in an unspecified position. What decode_customer_scalars() uses to walk a stored
// state: the scan of every customer that each model refit does, where protobuf's
// CodedInputStream cost twice as much per field.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  [[nodiscard]] bool at_end() const { return p_ == end_; }

  // A field's tag: false at a field number of 0 or a tag beyond 32 bits too.
  bool tag(uint32_t& out) {
    uint64_t v = 0;
    if (!varint(v) || v > UINT32_MAX || (v >> 3) == 0) {
      return false;
    }
    out = static_cast<uint32_t>(v);
    return true;
  }
  bool varint(uint64_t& out) {
    if (p_ != end_ && *p_ < 0x80) {  // Most tags and lengths: one byte.
      out = *p_++;
      return true;
    }
    const ptrdiff_t left = end_ - p_;
    if (left >= kMaxVarintBytes) {  // Whole varint in range: no bounds check per byte.
      const ptrdiff_t length = decode_varint(p_, out);
      p_ += length;
      return length != 0;
    }
    // Near the end: the same decoding on a copy padded with zeros. A varint cut short by the end
    // ends in the padding, past the bytes there are.
    std::array<uint8_t, kMaxVarintBytes> tail{};
    std::memcpy(tail.data(), p_, static_cast<size_t>(left));
    const ptrdiff_t length = decode_varint(tail.data(), out);
    if (length == 0 || length > left) {
      return false;
    }
    p_ += length;
    return true;
  }
  bool fixed64(uint64_t& out) {
    const uint8_t* at = nullptr;
    if (!take(8, at)) {
      return false;
    }
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&out, at, 8);  // Already the wire's byte order.
    } else {
      out = 0;
      for (int i = 0; i < 8; ++i) {
        out |= static_cast<uint64_t>(at[i]) << (8 * i);
      }
    }
    return true;
  }
  // A length-delimited value: its bytes, left in `out`.
  bool delimited(std::string_view& out) {
    uint64_t length = 0;
    const uint8_t* at = nullptr;
    if (!varint(length) || !take(length, at)) {
      return false;
    }
    out = std::string_view(reinterpret_cast<const char*>(at), length);
    return true;
  }
  // Skips the value of a field with this tag; false on the group wire types proto3 never writes.
  bool skip(uint32_t tag) {
    uint64_t ignored = 0;
    std::string_view bytes;
    const uint8_t* at = nullptr;
    switch (wire_type(tag)) {
      case WireType::kVarint:
        return varint(ignored);
      case WireType::kFixed64:
        return take(8, at);
      case WireType::kLengthDelimited:
        return delimited(bytes);
      case WireType::kFixed32:
        return take(4, at);
    }
    return false;
  }

 private:
  static constexpr ptrdiff_t kMaxVarintBytes = 10;

  // Decodes the varint at `p`, which must have kMaxVarintBytes readable (timestamps in ms take 6
  // bytes, so most multi-byte varints of a state have them in place): its length in bytes, 0
  // for one longer than kMaxVarintBytes (`out` is then unset).
  static ptrdiff_t decode_varint(const uint8_t* p, uint64_t& out) {
    uint64_t v = 0;
    for (ptrdiff_t i = 0; i < kMaxVarintBytes; ++i) {
      const uint8_t b = p[i];
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        out = v;
        return i + 1;
      }
    }
    return 0;
  }

  // The next `n` bytes start at `at`; the reader moves past them. False when fewer remain.
  bool take(uint64_t n, const uint8_t*& at) {
    if (n > static_cast<uint64_t>(end_ - p_)) {
      return false;
    }
    at = p_;
    p_ += n;
    return true;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace segd::io::wire
