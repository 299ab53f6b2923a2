#pragma once

#include <string>
#include <string_view>

namespace segd::io {

/// `bytes` in standard base64 (RFC 4648 section 4: `A-Z a-z 0-9 + /`, `=` padding, no line
/// breaks), for carrying arbitrary bytes in JSON. Pure, thread-safe.
[[nodiscard]] std::string base64(std::string_view bytes);

}  // namespace segd::io
