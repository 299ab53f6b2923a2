#include "io/codec/base64.h"

#include <algorithm>
#include <cstdint>

namespace segd::io {

std::string base64(std::string_view bytes) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto byte = [bytes](size_t i) -> uint32_t {
    return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0U;
  };
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    // Three bytes (zeros past the end) make four 6-bit digits; a short last group is padded.
    const uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    const size_t digits = std::min<size_t>(bytes.size() - i, 3) + 1;
    for (size_t d = 0; d < 4; ++d) {
      out.push_back(d < digits ? kAlphabet[(group >> (18 - 6 * d)) & 63] : '=');
    }
  }
  return out;
}

}  // namespace segd::io
