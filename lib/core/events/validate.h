#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/result.h"
#include "core/common/time.h"
#include "core/events/event.h"

namespace segd::core {

/// Bounds applied by validate_event(). Every limit is inclusive.
struct ValidationLimits {
  /// Longest customer_id in bytes. Default: 128.
  size_t max_customer_id_bytes = 128;
  /// Longest event_id, session_id, product_id, order_id (also in items), in bytes. Default: 128.
  size_t max_id_bytes = 128;
  /// Longest category or query, in bytes. Default: 256.
  size_t max_text_bytes = 256;
  /// Most line items in one event. Default: 100.
  size_t max_items = 100;
  /// Largest amount or price (also in items, and a derived purchase amount). Default: 1e9.
  double max_amount = 1e9;
  /// Largest quantity (event or line item). Default: 1'000'000.
  int64_t max_quantity = 1'000'000;
  /// Earliest accepted event time. Default: 1970-01-01T00:00:00Z (0).
  TimestampMs min_ts{0};
  /// First rejected event time. Default: 2200-01-01T00:00:00Z.
  TimestampMs max_ts{7'258'118'400'000};
};

/// Whether validate_event() accepts `ts` as an event time: in [limits.min_ts, limits.max_ts).
/// Pure.
[[nodiscard]] bool accepts_event_time(TimestampMs ts, const ValidationLimits& limits = {});

/// The event times validate_event() accepts, for messages:
/// `[1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z)`. Pure.
[[nodiscard]] std::string accepted_event_times(const ValidationLimits& limits = {});

/// Whether the decoder saw an explicit `amount`. It matters for purchases only: an absent
/// amount is derived from the line items, and refunds require it.
enum class AmountField : uint8_t { kPresent, kAbsent };

/// Semantic checks on a decoded event, with the purchase amount derived when it is absent.
/// An erasure is checked for customer_id, ts and event_id only, and comes back with only those
/// (and its type): its other fields are neither checked nor kept.
/// Returns the (possibly completed) event, or the first failing check as an Error whose `code`
/// is one of: `missing_field:<name>`, `bad_field:<name>`, `negative_amount`, `too_large`,
/// `bad_timestamp` (names of line item fields are `items.<name>`). The set of codes is bounded
/// (no indexes or values in them), so they can be metric labels. The full list, with the order
/// of checks, is in lib/io/codec/FORMATS.md. Pure and thread-safe.
[[nodiscard]] Result<Event> validate_event(Event event,
                                           AmountField amount,
                                           const ValidationLimits& limits = {});

/// validate_event() on `event` itself, as decoders call it: the same checks, in the same order,
/// and on success `event` is completed (or reduced to an erasure's fields) in place, without the
/// copies that passing it in and out would take. On failure `event` is left to be dropped (a
/// purchase's derived amount may have been filled in).
[[nodiscard]] Result<void> validate_event_in_place(Event& event,
                                                   AmountField amount,
                                                   const ValidationLimits& limits);

/// validate_event() for an event whose `amount` is to be taken as given
/// (AmountField::kPresent), for example one built in code.
[[nodiscard]] Result<Event> validate_event(Event event, const ValidationLimits& limits = {});

/// Σ quantity·price over `items`, summed in item order and rounded to cents (half away from
/// zero), so the same items always give the same bits. Pure.
[[nodiscard]] double derived_amount(const std::vector<LineItem>& items);

}  // namespace segd::core
