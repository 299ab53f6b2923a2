#include "io/state/proto_bytes.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>

#include "core/common/check.h"

namespace segd::io {

std::string serialize_deterministic(const google::protobuf::MessageLite& msg) {
  const size_t size = msg.ByteSizeLong();
  CHECK(size <= static_cast<size_t>(INT_MAX));
  std::string out(size, '\0');
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  msg.SerializeWithCachedSizes(&coded);
  CHECK(!coded.HadError());
  return out;
}

bool parse_bytes(std::string_view bytes, google::protobuf::MessageLite& msg) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return false;
  }
  return msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace segd::io
