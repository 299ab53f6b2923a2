#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/common/time.h"

namespace segd::core {

/// The kinds of input event. The wire names are in `event_type_name()`.
enum class EventType : uint8_t {
  kPageView,
  kProductView,
  kSearch,
  kAddToCart,
  kRemoveFromCart,
  kPurchase,
  kRefund,
  /// GDPR erasure of the customer, at this position of the partition's input (see README).
  kErasure,
};

inline constexpr int kEventTypeCount = 8;

/// `page_view`, `product_view`, `search`, `add_to_cart`, `remove_from_cart`, `purchase`, `refund`,
/// `erasure`.
[[nodiscard]] std::string_view event_type_name(EventType type);

/// The inverse of event_type_name(); nullopt for an unknown name.
[[nodiscard]] std::optional<EventType> event_type_from_name(std::string_view name);

/// One purchased (or refunded) line of an order.
struct LineItem {
  std::string product_id;
  std::string category;
  int64_t quantity = 1;
  double price = 0.0;

  bool operator==(const LineItem&) const = default;
};

/// A decoded input event. Which optional fields matter depends on `type`; see the README.
struct Event {
  std::string event_id;
  EventType type = EventType::kPageView;
  std::string customer_id;
  TimestampMs ts;
  std::string session_id;
  std::string product_id;
  std::string category;
  std::string query;
  double price = 0.0;
  int64_t quantity = 1;
  std::string order_id;
  double amount = 0.0;
  std::string currency;
  std::vector<LineItem> items;

  bool operator==(const Event&) const = default;
};

}  // namespace segd::core
