#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/strong_int.h"
#include "core/engine/state_store.h"

namespace segd::io {

/// Key layouts of the RocksDB column families (see STORAGE.md). Integers are big-endian, and
/// signed ones have their sign bit flipped, so that bytewise key order equals numeric order.

/// `timers` key: partition (int32) + customer_id; the value is timer_value().
[[nodiscard]] std::string timer_key(core::PartitionId partition, std::string_view customer_id);
/// The 4-byte prefix shared by all timer keys of `partition`.
[[nodiscard]] std::string timer_prefix(core::PartitionId partition);
/// Inverse of timer_key: partition and customer id; nullopt when the key is shorter than 4 bytes.
[[nodiscard]] std::optional<std::pair<core::PartitionId, std::string>> parse_timer_key(
    std::string_view key);

/// `outbox` key: the sequence number, 8 bytes big-endian.
[[nodiscard]] std::string outbox_key(uint64_t seq);
/// Inverse of outbox_key; nullopt when the key is not 8 bytes.
[[nodiscard]] std::optional<uint64_t> parse_outbox_key(std::string_view key);

/// `models` key: the version, int64 order-preserving.
[[nodiscard]] std::string model_key(int64_t version);
/// Inverse of model_key; nullopt when the key is not 8 bytes.
[[nodiscard]] std::optional<int64_t> parse_model_key(std::string_view key);

/// `offsets` keys: `pos/<source>`, `stream_time/<partition int32>`,
/// `erasures/<partition int32>`, `meta/<key>`, and the store's own `sys/next_outbox_seq`.
[[nodiscard]] std::string position_key(std::string_view source);
[[nodiscard]] std::string stream_time_key(core::PartitionId partition);
[[nodiscard]] std::string erasures_key(core::PartitionId partition);
[[nodiscard]] std::string meta_key(std::string_view key);
inline constexpr std::string_view kNextOutboxSeqKey = "sys/next_outbox_seq";

/// `timers` value: the due time (encode_i64), then for a model-bound timer its model version
/// (encode_i64): 8 or 16 bytes.
[[nodiscard]] std::string timer_value(const core::Timer& timer);
/// Inverse of timer_value into `timer` (its customer_id untouched); false when the value is
/// neither 8 nor 16 bytes. An 8-byte kWhenAModelIsActive, as written before model-bound timers
/// had a version, reads as bound to version 0 (waiting for the first model).
[[nodiscard]] bool parse_timer_value(std::string_view bytes, core::Timer& timer);

/// 8-byte big-endian encodings of offsets-family integer values.
[[nodiscard]] std::string encode_i64(int64_t v);
/// Inverse of encode_i64; nullopt when the value is not 8 bytes.
[[nodiscard]] std::optional<int64_t> decode_i64(std::string_view bytes);

}  // namespace segd::io
