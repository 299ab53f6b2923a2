#pragma once

#include <map>
#include <string>

#include "core/engine/state_store.h"
#include "core/events/event.h"

namespace segd::testing {

inline constexpr int64_t kDay0 = 1767225600000;  // 2026-01-01T00:00:00Z

/// Milliseconds of `day` days (fractional allowed) after 2026-01-01.
inline core::TimestampMs at_day(double day) {
  return core::TimestampMs{kDay0 +
                           static_cast<int64_t>(day * static_cast<double>(core::kMsPerDay))};
}

inline core::Event make_event(core::EventType type,
                              core::TimestampMs ts,
                              std::string customer = "c1",
                              std::string event_id = {}) {
  core::Event e;
  e.type = type;
  e.ts = ts;
  e.customer_id = std::move(customer);
  e.event_id = std::move(event_id);
  return e;
}

inline core::Event make_purchase(core::TimestampMs ts,
                                 double amount,
                                 std::string order_id,
                                 std::string customer = "c1") {
  core::Event e = make_event(core::EventType::kPurchase, ts, std::move(customer));
  e.amount = amount;
  e.order_id = std::move(order_id);
  return e;
}

/// A StateReader over a map, applying BatchDeltas like the RocksDB store does.
class MemoryStore final : public core::StateReader {
 public:
  core::Result<std::optional<core::CustomerState>> get_customer(std::string_view id) override {
    reads_ += 1;
    auto it = customers_.find(std::string(id));
    if (it == customers_.end()) {
      return std::optional<core::CustomerState>{};
    }
    return std::optional<core::CustomerState>{it->second};
  }

  void apply(const core::BatchDelta& delta) {
    for (const auto& c : delta.customers_put) {
      customers_[c->customer_id] = *c;
    }
    for (const auto& id : delta.customers_deleted) {
      customers_.erase(id);
    }
    for (const auto& [partition, id] : delta.timers_deleted) {
      timers_.erase(id);
    }
    for (const auto& [partition, timer] : delta.timers_put) {
      timers_[timer.customer_id] = timer;
    }
  }

  const std::map<std::string, core::CustomerState>& customers() const { return customers_; }
  /// The stored timers (of every partition), by customer.
  const std::map<std::string, core::Timer>& timers() const { return timers_; }
  /// get_customer() calls so far.
  int64_t reads() const { return reads_; }

 private:
  std::map<std::string, core::CustomerState> customers_;
  std::map<std::string, core::Timer> timers_;
  int64_t reads_ = 0;
};

}  // namespace segd::testing
