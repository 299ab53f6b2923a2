#pragma once
// Builders and a temporary directory for the state store tests.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "core/engine/state_store.h"

namespace segd::io::testing {

/// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/segd-state-XXXXXX";
    const char* made = ::mkdtemp(pattern.data());
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string db() const { return path_ + "/db"; }

 private:
  std::string path_;
};

/// A state shaped like a typical active customer: 20 day buckets, 10 sessions, 5 cart lines,
/// 8 categories, 64 event hashes. Values derive from `id` and `seed`.
inline core::CustomerState typical_state(const std::string& id, int64_t seed) {
  core::CustomerState s;
  s.customer_id = id;
  s.version = seed;
  s.first_event_ms = 1'700'000'000'000 + seed;
  s.last_event_ms = s.first_event_ms + 86'400'000LL * 30;
  s.orders_total = 12 + seed;
  s.monetary_total = 1234.5 + static_cast<double>(seed);
  s.first_purchase_ms = s.first_event_ms + 1000;
  s.last_purchase_ms = s.last_event_ms - 1000;
  s.purchase_days = 9;
  s.refunds_total = 1;
  s.refund_amount_total = 19.99;
  for (int i = 0; i < 20; ++i) {
    s.days.push_back(core::DayBucket{19'700 + i, i % 3, 10.25 * i});
  }
  for (int a = 0; a < core::kActivityCount; ++a) {
    s.counts[a] = 100 * a + seed;
    for (int h = 0; h < core::kHalfLifeCount; ++h) {
      s.decayed[a][h] = 0.5 * a + 0.125 * h + 1e-3 * static_cast<double>(seed);
    }
  }
  s.activity_ref_ms = s.last_event_ms;
  s.sessions_total = 40;
  s.session_ms_total = 40 * 600'000;
  for (int i = 0; i < 10; ++i) {
    s.sessions.push_back(core::Session{s.first_event_ms + i * 3'600'000LL,
                                       s.first_event_ms + i * 3'600'000LL + 600'000});
  }
  s.affinity_ref_ms = s.last_event_ms;
  for (int i = 0; i < 8; ++i) {
    s.categories.push_back(core::CategoryScore{"category-" + std::to_string(i), 8.0 - i});
  }
  s.last_cart_add_ms = s.last_event_ms - 5000;
  for (int i = 0; i < 5; ++i) {
    s.cart.push_back(core::CartLine{s.last_cart_add_ms + i, "product-" + std::to_string(i), i + 1,
                                    9.99 * (i + 1)});
  }
  for (uint64_t i = 0; i < 64; ++i) {
    s.recent_event_ids.push_back(0xcbf29ce484222325ULL * (i + 1) + static_cast<uint64_t>(seed));
  }
  for (uint64_t i = 0; i < 8; ++i) {
    s.recent_order_ids.push_back(0x100000001b3ULL * (i + 7));
  }
  s.segments = {"at_risk", "big_spender", "cart_abandoner"};
  s.timer_due_ms = s.last_event_ms + 60 * 86'400'000LL;
  s.incarnation = seed % 3;  // Most states are a first incarnation (0), some not.
  return s;
}

/// `state` as a BatchDelta holds it.
inline std::shared_ptr<const core::CustomerState> shared(core::CustomerState state) {
  return std::make_shared<const core::CustomerState>(std::move(state));
}

/// A segment change with every field set.
inline core::SegmentChange make_change(const std::string& customer, int64_t version) {
  core::SegmentChange c;
  c.customer_id = customer;
  c.segment = "at_risk_vip";
  c.event_id = customer + "/at_risk_vip/" + std::to_string(version);
  c.change = version % 2 == 0 ? core::ChangeKind::kEnter : core::ChangeKind::kExit;
  c.at = core::TimestampMs(1'772'359'200'000 + version);
  c.model_version = 3;
  c.cause = core::CauseKind::kTimer;
  c.cause_event_id = "e-" + std::to_string(version);
  c.reason = "p_alive < 0.3 && clv_365d > 100";
  c.values = {{"p_alive", 0.28}, {"clv_365d", 840.0}};
  return c;
}

/// `s` as decode_customer_scalars() gives it back: the lists left out.
inline core::CustomerState without_lists(core::CustomerState s) {
  s.days.clear();
  s.sessions.clear();
  s.categories.clear();
  s.cart.clear();
  s.recent_event_ids.clear();
  s.recent_order_ids.clear();
  s.segments.clear();
  return s;
}

}  // namespace segd::io::testing
