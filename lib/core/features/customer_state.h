#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/time.h"
#include "core/features/money.h"

namespace segd::core {

/// Purchases and refunds of one UTC day, for the exact trailing windows.
struct DayBucket {
  int64_t day = 0;        ///< UTC day number (core::day_of).
  int32_t orders = 0;     ///< Purchases on that day.
  double monetary = 0.0;  ///< Purchase amounts minus refund amounts on that day.

  bool operator==(const DayBucket&) const = default;
};

/// One sessionised stretch of activity (events at most 30 minutes apart).
struct Session {
  int64_t start_ms = 0;
  int64_t end_ms = 0;

  bool operator==(const Session&) const = default;
};

/// A cart line added since the last purchase.
struct CartLine {
  int64_t ts_ms = 0;
  std::string product_id;
  int64_t quantity = 0;
  double price = 0.0;

  /// quantity × price on the micro-unit grid: a line's amount counts rounded, as every amount
  /// does, so the cart's value is a sum of rounded amounts.
  [[nodiscard]] double value() const {
    return on_money_grid(static_cast<double>(quantity) * price);
  }

  bool operator==(const CartLine&) const = default;
};

/// A category's decayed interest score, valid at CustomerState::affinity_ref_ms.
struct CategoryScore {
  std::string category;
  double score = 0.0;

  bool operator==(const CategoryScore&) const = default;
};

/// The activity kinds with decayed counts.
enum class Activity : uint8_t { kPageView, kProductView, kSearch, kCartAdd };
inline constexpr int kActivityCount = 4;
inline constexpr int kHalfLifeCount = 3;
/// Half-lives of the decayed counts, in days: 1, 7 and 30.
inline constexpr std::array<int, kHalfLifeCount> kHalfLifeDays = {1, 7, 30};

/// A session ends after this long without an event.
inline constexpr int64_t kSessionGapMs = 30 * kMsPerMinute;
/// Sessions are kept while they ended at most this long before the customer's latest event.
inline constexpr int64_t kSessionRetentionMs = 31 * kMsPerDay;

/// Bounds that make a customer's state size bounded (see README "State size").
inline constexpr size_t kMaxDayBuckets = 366;
/// The most sessions the retention can hold (their ends more than kSessionGapMs apart): all of
/// them are kept, so the 30-day count is exact.
inline constexpr size_t kMaxSessions = kSessionRetentionMs / (kSessionGapMs + 1) + 1;
inline constexpr size_t kMaxCartLines = 32;
inline constexpr size_t kMaxCategories = 8;
inline constexpr size_t kMaxRecentEventIds = 64;
inline constexpr size_t kMaxRecentOrderIds = 32;

/// Everything segd remembers about one customer. Persisted (proto/segd/v1/state.proto);
/// a value type so replays can be compared byte for byte.
struct CustomerState {
  std::string customer_id;
  int64_t version = 0;        ///< Applied events and timers; part of SegmentChange ids.
  int64_t last_event_ms = 0;  ///< Latest event time seen for this customer.
  int64_t first_event_ms = 0;

  // Purchases.
  int64_t orders_total = 0;
  double monetary_total = 0.0;
  int64_t first_purchase_ms = 0;  ///< 0 with orders_total == 0.
  int64_t last_purchase_ms = 0;
  int64_t purchase_days = 0;  ///< Distinct UTC days with a purchase (BG/NBD x = this - 1).
  int64_t refunds_total = 0;
  double refund_amount_total = 0.0;
  std::vector<DayBucket> days;  ///< Sorted by day, the last 366 days before last_event_ms.

  // Activity.
  std::array<int64_t, kActivityCount> counts{};
  int64_t activity_ref_ms = 0;
  /// [kind][half-life index], valid at activity_ref_ms.
  std::array<std::array<double, kHalfLifeCount>, kActivityCount> decayed{};

  // Sessions.
  int64_t sessions_total = 0;
  int64_t session_ms_total = 0;
  std::vector<Session> sessions;  ///< Sorted by start; recent ones only.

  // Category affinity (half-life 30 days), top kMaxCategories by score.
  int64_t affinity_ref_ms = 0;
  std::vector<CategoryScore> categories;

  // Cart.
  int64_t last_cart_add_ms = 0;  ///< Meaningful once counts[kCartAdd] > 0 (0 is a valid time).
  std::vector<CartLine> cart;    ///< Lines added after last_purchase_ms.

  // Deduplication memory: FNV-1a 64 hashes, oldest first.
  std::vector<uint64_t> recent_event_ids;
  std::vector<uint64_t> recent_order_ids;

  // Segments.
  std::vector<std::string> segments;  ///< Sorted names of the segments the customer is in.
  int64_t timer_due_ms = 0;           ///< The customer's pending timer; 0 when none.
  int64_t model_version = 0;          ///< The model version of the last evaluation.
  /// How many customers the partition had erased when this state began; part of SegmentChange
  /// ids (change_event_id), so the ids of a customer seen again after its erasure are new.
  int64_t incarnation = 0;

  bool operator==(const CustomerState&) const = default;
};

}  // namespace segd::core
