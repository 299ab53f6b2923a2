#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/events/event.h"

namespace segd::gen {

/// The kinds of deliberately malformed line (see lib/gen/README.md).
enum class BadKind : uint8_t {
  kInvalidJson,        ///< a proper prefix of a valid line: never parses
  kMissingCustomerId,  ///< valid JSON without `customer_id`
  kBadTimestamp,       ///< `ts` is not RFC 3339 nor an integer
  kUnknownType,        ///< `type` is not one of the seven names
  kNegativeAmount,     ///< a purchase whose `amount` is below zero
  kOversized,          ///< valid JSON longer than 64 KiB
};
inline constexpr int kBadKindCount = 6;

/// `invalid_json`, `missing_customer_id`, `bad_timestamp`, `unknown_type`, `negative_amount`,
/// `oversized`.
[[nodiscard]] std::string_view bad_kind_name(BadKind kind);

/// How an event's `ts` is written.
enum class TsFormat : uint8_t { kRfc3339, kEpochMs };

/// One line of an order, a cart entry or a refund. The category follows from the product.
struct GenItem {
  int32_t product = 0;
  int32_t quantity = 1;
  int64_t price_cents = 0;

  bool operator==(const GenItem&) const = default;
};

/// A generated event before rendering. Ids are numbers here; LineWriter turns them into
/// `c<customer>`, `e<customer>-<event_no>`, `s<customer>-<session_no>`, `o<customer>-<order_no>`.
/// Money is in integer cents so the printed two-decimal values are exact.
struct GenEvent {
  core::EventType kind = core::EventType::kPageView;
  int64_t customer = 0;
  int64_t event_no = 0;
  int64_t ts_ms = 0;
  TsFormat ts_format = TsFormat::kRfc3339;
  int64_t session_no = 0;
  int32_t product = -1;   ///< product events only
  int32_t quantity = 0;   ///< cart events only
  int32_t category = -1;  ///< search events (the searched category)
  std::string query;      ///< search events
  int64_t order_no = -1;  ///< purchase and refund
  int64_t amount_cents = 0;
  std::vector<GenItem> items;  ///< purchase and refund
  int resend = 0;              ///< > 0 for a re-sent purchase: a new event_id, the same order_id

  bool operator==(const GenEvent&) const = default;
};

}  // namespace segd::gen
