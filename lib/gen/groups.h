#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace segd::gen {

/// The planted behaviour groups; lib/gen/README.md documents each one.
enum class Group : uint8_t { kVip, kRegular, kBargain, kWindowShopper, kChurned };
inline constexpr int kGroupCount = 5;

/// Which of several sampled products a customer picks.
enum class PriceTaste : uint8_t {
  kNeutral,  ///< the first draw
  kPremium,  ///< the most expensive of three draws
  kCheap,    ///< the cheapest of three draws
};

/// Browse-step weights, in the order page_view, product_view, search, add_to_cart,
/// remove_from_cart.
using BrowseWeights = std::array<double, 5>;

/// The parameters that define a group's behaviour.
struct GroupProfile {
  std::string_view name;
  double share;           ///< fraction of customers (the shares sum to 1)
  double activity;        ///< event-budget multiplier relative to the other groups
  double session_events;  ///< mean events per session
  double p_purchase;      ///< chance a session (of >= 2 events) ends in a purchase
  double p_refund;        ///< chance a session starts by refunding the last order
  int32_t max_quantity;   ///< cart quantities are uniform in [1, max_quantity]
  PriceTaste taste;
  double gap_mean_s;   ///< mean seconds between events in a session (plus 3 s)
  double active_from;  ///< activity stops at a uniform fraction of the period in
  double active_to;    ///< [active_from, active_to]; 1.0 / 1.0 = never stops
  BrowseWeights browse;
};

/// The profile of a group (a static table).
[[nodiscard]] const GroupProfile& group_profile(Group group);

/// `vip`, `regular`, `bargain`, `window_shopper`, `churned`.
[[nodiscard]] std::string_view group_name(Group group);

}  // namespace segd::gen
