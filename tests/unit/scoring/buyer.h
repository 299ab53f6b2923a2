#pragma once
// The customer the scoring tests score.

#include "core/features/customer_state.h"
#include "support/builders.h"

namespace segd::testing {

/// Three purchase days: day 0, day 20 (two orders) and day 50 (4 orders, 180 in total), 6
/// sessions, 12 product views.
inline core::CustomerState three_day_buyer() {
  core::CustomerState c;
  c.customer_id = "c1";
  c.first_event_ms = at_day(0).value();
  c.last_event_ms = at_day(50).value();
  c.orders_total = 4;
  c.monetary_total = 180.0;
  c.first_purchase_ms = at_day(0).value();
  c.last_purchase_ms = at_day(50).value();
  c.purchase_days = 3;
  c.sessions_total = 6;
  c.counts[1] = 12;
  return c;
}

}  // namespace segd::testing
