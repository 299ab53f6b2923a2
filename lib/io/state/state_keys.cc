#include "io/state/state_keys.h"

#include "core/segments/rule_set.h"

namespace segd::io {
namespace {

constexpr uint64_t kSignBit64 = uint64_t{1} << 63;
constexpr uint32_t kSignBit32 = uint32_t{1} << 31;

void append_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void append_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t read_u64(std::string_view b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[i]);
  }
  return v;
}

uint32_t read_u32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[i]);
  }
  return v;
}

uint64_t flip64(int64_t v) { return static_cast<uint64_t>(v) ^ kSignBit64; }
int64_t unflip64(uint64_t v) { return static_cast<int64_t>(v ^ kSignBit64); }
uint32_t flip32(int32_t v) { return static_cast<uint32_t>(v) ^ kSignBit32; }
int32_t unflip32(uint32_t v) { return static_cast<int32_t>(v ^ kSignBit32); }

}  // namespace

std::string timer_prefix(core::PartitionId partition) {
  std::string out;
  append_u32(out, flip32(partition.value()));
  return out;
}

std::string timer_key(core::PartitionId partition, std::string_view customer_id) {
  std::string out;
  out.reserve(4 + customer_id.size());
  append_u32(out, flip32(partition.value()));
  out.append(customer_id);
  return out;
}

std::optional<std::pair<core::PartitionId, std::string>> parse_timer_key(std::string_view key) {
  if (key.size() < 4) {
    return std::nullopt;
  }
  return std::pair{core::PartitionId(unflip32(read_u32(key))), std::string(key.substr(4))};
}

std::string outbox_key(uint64_t seq) {
  std::string out;
  append_u64(out, seq);
  return out;
}

std::optional<uint64_t> parse_outbox_key(std::string_view key) {
  if (key.size() != 8) {
    return std::nullopt;
  }
  return read_u64(key);
}

std::string model_key(int64_t version) { return encode_i64(version); }

std::optional<int64_t> parse_model_key(std::string_view key) { return decode_i64(key); }

std::string position_key(std::string_view source) {
  std::string out = "pos/";
  out.append(source);
  return out;
}

std::string stream_time_key(core::PartitionId partition) {
  std::string out = "stream_time/";
  append_u32(out, flip32(partition.value()));
  return out;
}

std::string erasures_key(core::PartitionId partition) {
  std::string out = "erasures/";
  append_u32(out, flip32(partition.value()));
  return out;
}

std::string meta_key(std::string_view key) {
  std::string out = "meta/";
  out.append(key);
  return out;
}

std::string timer_value(const core::Timer& timer) {
  std::string out = encode_i64(timer.due_ms);
  if (timer.model_version) {
    out += encode_i64(*timer.model_version);
  }
  return out;
}

bool parse_timer_value(std::string_view bytes, core::Timer& timer) {
  const std::optional<int64_t> due = decode_i64(bytes.substr(0, 8));
  if (!due || (bytes.size() != 8 && bytes.size() != 16)) {
    return false;
  }
  timer.due_ms = *due;
  timer.model_version.reset();
  if (bytes.size() == 16) {
    timer.model_version = decode_i64(bytes.substr(8));
  } else if (*due == core::kWhenAModelIsActive) {
    timer.model_version = 0;
  }
  return true;
}

std::string encode_i64(int64_t v) {
  std::string out;
  append_u64(out, flip64(v));
  return out;
}

std::optional<int64_t> decode_i64(std::string_view bytes) {
  if (bytes.size() != 8) {
    return std::nullopt;
  }
  return unflip64(read_u64(bytes));
}

}  // namespace segd::io
