#pragma once

#include <google/protobuf/message_lite.h>

#include <string>
#include <string_view>

namespace segd::io {

/// Serializes with deterministic ordering requested explicitly, so equal messages give equal
/// bytes (the schemas have no maps; this guards against one being added later).
[[nodiscard]] std::string serialize_deterministic(const google::protobuf::MessageLite& msg);

/// Parses `bytes` into `msg`; false when they are not a valid encoding.
[[nodiscard]] bool parse_bytes(std::string_view bytes, google::protobuf::MessageLite& msg);

}  // namespace segd::io
