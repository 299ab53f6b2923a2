#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>

#include "gen/catalog.h"
#include "gen/gen_event.h"
#include "gen/groups.h"
#include "gen/rng.h"

namespace segd::gen {

/// Share of valid events whose line is held back (emitted 1 to 5 minutes late).
inline constexpr double kLateRate = 0.01;
/// Share of valid events that are sent twice (the copy 1 to 30 minutes later).
inline constexpr double kDuplicateRate = 0.005;
/// Share of events whose `ts` is integer epoch milliseconds instead of RFC 3339.
inline constexpr double kEpochMsRate = 0.10;
/// Sessions are separated by more than this much inactivity.
inline constexpr int64_t kSessionGapMs = int64_t{30} * 60 * 1000;
/// Shortest time between two events of a session (each step adds 0 to 1 s and a random pause).
inline constexpr int64_t kMinEventStepMs = 3000;
/// At most this many distinct products in a cart.
inline constexpr int kMaxCart = 5;

/// The shortest window a customer of `group` can be active in, over a period of `period_ms`: the
/// whole period, or for a churner its share of it at the earliest stop, but at least a day.
[[nodiscard]] int64_t shortest_window_ms(Group group, int64_t period_ms);

/// Everything fixed about one customer before simulation starts.
struct CustomerPlan {
  int64_t customer = 0;  ///< the number in `c<number>`
  Group group = Group::kRegular;
  int64_t budget = 0;  ///< lines this customer emits, duplicates and bad lines included
  int64_t period_begin_ms = 0;
  int64_t period_end_ms = 0;  ///< exclusive
  uint64_t seed = 0;          ///< the customer's own random stream
};

/// One emitted event and what to do with its line.
struct Step {
  GenEvent event;
  std::optional<BadKind> bad;      ///< set: write the event as this kind of bad line instead
  uint64_t variant = 0;            ///< picks the bad-line variant
  int64_t late_by_ms = 0;          ///< > 0: hold the line back this long (a late event)
  int64_t duplicate_after_ms = 0;  ///< > 0: send the event again this much later
};

/// One customer's timeline: sessions placed over the active window, and inside each session a
/// browse → cart → purchase funnel shaped by the group profile. Timestamps strictly increase
/// and stay inside the period. Uses only its own Rng, so the output of a customer does not
/// depend on how timelines are merged. Not thread-safe.
class CustomerSim {
 public:
  /// Requires plan.budget >= 0 and a period long enough for budget events (CHECKed).
  explicit CustomerSim(const CustomerPlan& plan);

  /// True when the budget is spent.
  [[nodiscard]] bool done() const { return remaining_ == 0; }
  /// Time of the next event; only meaningful while !done().
  [[nodiscard]] int64_t next_ts() const { return next_ts_; }
  /// Produces the next event and advances. Requires !done(). `bad_rate` is the chance that
  /// the event is replaced by a bad line.
  [[nodiscard]] Step step(const Catalog& catalog, double bad_rate);

 private:
  void start_session();
  [[nodiscard]] int64_t clamp_ts(int64_t candidate) const;
  [[nodiscard]] core::EventType choose_kind();
  [[nodiscard]] GenEvent make_event(const Catalog& catalog, int64_t ts);
  [[nodiscard]] GenEvent browse_event(const Catalog& catalog, GenEvent event);
  [[nodiscard]] GenEvent order_event(GenEvent event);
  [[nodiscard]] Step bad_step(const Catalog& catalog, GenEvent event);
  void advance(int64_t ts);
  void add_to_cart(const GenItem& item);
  [[nodiscard]] int pick_category();
  [[nodiscard]] int32_t pick_product(const Catalog& catalog);

  Rng rng_;
  const GroupProfile* profile_;
  int64_t customer_;
  int64_t remaining_;
  int64_t sessions_left_ = 0;
  int64_t session_len_ = 0;
  int64_t session_index_ = 0;
  int64_t session_no_ = 0;
  int64_t event_no_ = 0;
  int64_t order_no_ = 0;
  int64_t next_ts_ = 0;
  static constexpr int64_t kNoTs = std::numeric_limits<int64_t>::min();
  int64_t last_ts_ = kNoTs;
  int64_t window_begin_;
  int64_t window_end_;
  int64_t period_end_;
  double position_ = 0.0;  // last session start as a fraction of the window
  bool purchase_planned_ = false;
  bool refund_planned_ = false;
  bool has_refundable_ = false;
  int32_t last_product_ = -1;
  int focus_category_ = -1;
  int cart_size_ = 0;
  std::array<GenItem, kMaxCart> cart_{};
  std::array<int, 3> favorites_{};
  int64_t refund_order_ = 0;
  GenItem refund_item_{};
};

}  // namespace segd::gen
