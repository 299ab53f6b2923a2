#include "core/events/validate.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/check.h"
#include "core/events/text.h"

namespace segd::core {
namespace {

using Check = Result<void>;

// Whether a field may hold control characters. Only free text typed by people does.
enum class Controls : uint8_t { kReject, kAllow };

// check_text() of a value that is not printable ASCII within its size, out of line: the common
// case's check takes no stack frame for the messages.
[[gnu::noinline]] Check check_unusual_text(std::string_view value,
                                           std::string_view name,
                                           size_t max_bytes,
                                           Controls controls) {
  if (value.size() > max_bytes) {
    return fail("bad_field:" + std::string(name),
                std::string(name) + " is " + std::to_string(value.size()) +
                    " bytes, the limit is " + std::to_string(max_bytes));
  }
  if (!is_valid_utf8(value)) {
    return fail("bad_field:" + std::string(name), std::string(name) + " is not valid UTF-8");
  }
  if (controls == Controls::kReject) {
    if (const auto control = first_control_char(value)) {
      return fail(
          "bad_field:" + std::string(name),
          std::string(name) + " contains the control character " + code_point_name(*control));
    }
  }
  return {};
}

// A bounded string field: its size, then its bytes (valid UTF-8; without control characters
// unless `controls` allows them).
Check check_text(std::string_view value,
                 std::string_view name,
                 size_t max_bytes,
                 Controls controls) {
  if (value.size() <= max_bytes && is_printable_ascii(value)) {
    return {};
  }
  return check_unusual_text(value, name, max_bytes, controls);
}

// The shortest text that reads back to the same double, as JsonWriter writes numbers, so a
// message shows the value that was given (not six fixed decimals, nor 309 digits for 1e308).
std::string number_text(double value) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.begin(), buf.end(), value);
  CHECK(ec == std::errc());
  return {buf.begin(), end};
}

// Prices and amounts: finite, not negative, bounded.
Check check_money(double value, std::string_view name, const ValidationLimits& limits) {
  if (!std::isfinite(value)) {
    return fail("bad_field:" + std::string(name), std::string(name) + " is not a finite number");
  }
  if (value < 0.0) {
    return fail("negative_amount", std::string(name) + " is negative (" + number_text(value) + ")");
  }
  if (value > limits.max_amount) {
    return fail("too_large", std::string(name) + " " + number_text(value) + " is above the limit " +
                                 number_text(limits.max_amount));
  }
  return {};
}

Check check_quantity(int64_t value, std::string_view name, const ValidationLimits& limits) {
  if (value <= 0) {
    return fail("bad_field:" + std::string(name),
                std::string(name) + " must be positive, got " + std::to_string(value));
  }
  if (value > limits.max_quantity) {
    return fail("too_large", std::string(name) + " " + std::to_string(value) +
                                 " is above the limit " + std::to_string(limits.max_quantity));
  }
  return {};
}

Check check_identity(const Event& event, const ValidationLimits& limits) {
  if (event.customer_id.empty()) {
    return fail("missing_field:customer_id", "customer_id is missing or empty");
  }
  if (auto ok = check_text(event.customer_id, "customer_id", limits.max_customer_id_bytes,
                           Controls::kReject);
      !ok) {
    return ok;
  }
  if (!accepts_event_time(event.ts, limits)) {
    return fail("bad_timestamp", "ts " + std::to_string(event.ts.value()) + " ms is outside " +
                                     accepted_event_times(limits));
  }
  return {};
}

Check check_event_id(const Event& event, const ValidationLimits& limits) {
  return check_text(event.event_id, "event_id", limits.max_id_bytes, Controls::kReject);
}

Check check_strings(const Event& event, const ValidationLimits& limits) {
  const std::array<std::pair<std::string_view, const std::string*>, 3> ids = {{
      {"session_id", &event.session_id},
      {"product_id", &event.product_id},
      {"order_id", &event.order_id},
  }};
  for (const auto& [name, value] : ids) {
    if (auto ok = check_text(*value, name, limits.max_id_bytes, Controls::kReject); !ok) {
      return ok;
    }
  }
  if (auto ok = check_text(event.category, "category", limits.max_text_bytes, Controls::kReject);
      !ok) {
    return ok;
  }
  if (auto ok = check_text(event.query, "query", limits.max_text_bytes, Controls::kAllow); !ok) {
    return ok;
  }
  const std::string_view currency = event.currency;
  const bool iso_4217 =
      currency.size() == 3 &&
      currency.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
  if (!currency.empty() && !iso_4217) {
    return fail("bad_field:currency",
                "currency must be an ISO 4217 code of three capital letters, got '" +
                    std::string(currency) + "'");
  }
  return {};
}

Check check_item(const LineItem& item, const ValidationLimits& limits) {
  if (item.product_id.empty()) {
    return fail("missing_field:items.product_id", "a line item has no product_id");
  }
  if (auto ok =
          check_text(item.product_id, "items.product_id", limits.max_id_bytes, Controls::kReject);
      !ok) {
    return ok;
  }
  if (auto ok =
          check_text(item.category, "items.category", limits.max_text_bytes, Controls::kReject);
      !ok) {
    return ok;
  }
  if (auto ok = check_quantity(item.quantity, "items.quantity", limits); !ok) {
    return ok;
  }
  return check_money(item.price, "items.price", limits);
}

Check check_numbers(const Event& event, const ValidationLimits& limits) {
  if (auto ok = check_money(event.price, "price", limits); !ok) {
    return ok;
  }
  if (auto ok = check_quantity(event.quantity, "quantity", limits); !ok) {
    return ok;
  }
  if (event.items.size() > limits.max_items) {
    return fail("too_large", std::to_string(event.items.size()) + " line items, the limit is " +
                                 std::to_string(limits.max_items));
  }
  // NOLINTNEXTLINE(modernize-loop-convert): the index names the item in the message.
  for (size_t i = 0; i < event.items.size(); ++i) {
    if (auto ok = check_item(event.items[i], limits); !ok) {
      ok.error().message += " (item " + std::to_string(i) + ")";
      return ok;
    }
  }
  return {};
}

Check require(const std::string& value, std::string_view name, EventType type) {
  if (value.empty()) {
    return fail("missing_field:" + std::string(name),
                std::string(event_type_name(type)) + " requires " + std::string(name));
  }
  return {};
}

// Per-type requirements; completes a purchase's amount from its items when it is absent.
Check check_type(Event& event, AmountField amount) {
  switch (event.type) {
    case EventType::kPageView:
    case EventType::kSearch:
    case EventType::kErasure:
      return {};
    case EventType::kProductView:
    case EventType::kAddToCart:
    case EventType::kRemoveFromCart:
      return require(event.product_id, "product_id", event.type);
    case EventType::kPurchase:
    case EventType::kRefund:
      if (auto ok = require(event.order_id, "order_id", event.type); !ok) {
        return ok;
      }
      if (amount == AmountField::kPresent) {
        return {};
      }
      if (event.type == EventType::kPurchase && !event.items.empty()) {
        event.amount = derived_amount(event.items);
        return {};
      }
      return fail("missing_field:amount",
                  std::string(event_type_name(event.type)) + (event.type == EventType::kPurchase
                                                                  ? " requires amount or items"
                                                                  : " requires amount"));
  }
  return fail("unknown_type", "event type out of range");
}

// An erasure keeps only what every event has: a stray field, malformed or not, must never stop
// a customer's erasure, and it has no use once the customer is gone.
Event erasure_only(Event event) {
  Event erasure;
  erasure.type = EventType::kErasure;
  erasure.customer_id = std::move(event.customer_id);
  erasure.ts = event.ts;
  erasure.event_id = std::move(event.event_id);
  return erasure;
}

}  // namespace

double derived_amount(const std::vector<LineItem>& items) {
  double sum = 0.0;
  for (const LineItem& item : items) {
    sum += static_cast<double>(item.quantity) * item.price;
  }
  // std::round does not depend on the floating-point rounding mode, so this is reproducible.
  return std::round(sum * 100.0) / 100.0;
}

bool accepts_event_time(TimestampMs ts, const ValidationLimits& limits) {
  return ts >= limits.min_ts && ts < limits.max_ts;
}

std::string accepted_event_times(const ValidationLimits& limits) {
  return "[" + format_rfc3339(limits.min_ts) + ", " + format_rfc3339(limits.max_ts) + ")";
}

Result<void> validate_event_in_place(Event& event,
                                     AmountField amount,
                                     const ValidationLimits& limits) {
  if (auto ok = check_identity(event, limits); !ok) {
    return ok;
  }
  if (auto ok = check_event_id(event, limits); !ok) {
    return ok;
  }
  if (event.type == EventType::kErasure) {
    event = erasure_only(std::move(event));
    return {};
  }
  if (auto ok = check_strings(event, limits); !ok) {
    return ok;
  }
  if (auto ok = check_numbers(event, limits); !ok) {
    return ok;
  }
  if (auto ok = check_type(event, amount); !ok) {
    return ok;
  }
  return check_money(event.amount, "amount", limits);
}

Result<Event> validate_event(Event event, AmountField amount, const ValidationLimits& limits) {
  if (auto ok = validate_event_in_place(event, amount, limits); !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  return event;
}

Result<Event> validate_event(Event event, const ValidationLimits& limits) {
  return validate_event(std::move(event), AmountField::kPresent, limits);
}

}  // namespace segd::core
