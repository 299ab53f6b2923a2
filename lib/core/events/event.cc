#include "core/events/event.h"

#include <array>

namespace segd::core {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "page_view",        "product_view", "search", "add_to_cart",
    "remove_from_cart", "purchase",     "refund", "erasure",
};

}  // namespace

std::string_view event_type_name(EventType type) { return kNames[static_cast<size_t>(type)]; }

std::optional<EventType> event_type_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<EventType>(i);
    }
  }
  return std::nullopt;
}

}  // namespace segd::core
