#include "gen/customer.h"

#include <algorithm>
#include <cmath>

#include "core/common/check.h"
#include "core/common/time.h"
#include "gen/det_math.h"

namespace segd::gen {
namespace {

// Sessions are placed at least this far apart on average, which bounds sessions per customer.
constexpr int64_t kMinSessionSpacingMs = 3 * core::kMsPerHour;
// Mean of the shortest step between two events of a session: kMinEventStepMs plus 0 to 1 s.
constexpr double kMinInSessionStepMs = kMinEventStepMs + 500.0;
// What a session's start adds to kSessionGapMs after the previous one, on average (1 s to 10 min).
constexpr int64_t kMeanExtraSessionGapMs = (1000 + int64_t{10} * 60 * 1000) / 2;
// Longest pause inside a session (well under kSessionGapMs).
constexpr double kMaxInSessionGapMs = 20.0 * core::kMsPerMinute;
// Relative weights of the bad kinds, in BadKind order. Oversized lines are big, so rarer.
constexpr std::array<double, kBadKindCount> kBadKindWeights{25, 20, 20, 15, 15, 5};
// How the next product or search picks its category.
constexpr double kFocusStickiness = 0.6;  // stay in the last searched category
constexpr double kFavoriteShare = 0.75;   // otherwise one of the three favourites
constexpr std::array<double, 3> kFavoriteWeights{0.5, 0.3, 0.2};
constexpr double kReAddLastViewed = 0.7;  // add_to_cart takes the product just viewed

}  // namespace

int64_t shortest_window_ms(Group group, int64_t period_ms) {
  const GroupProfile& profile = group_profile(group);
  if (profile.active_to >= 1.0) {
    return period_ms;
  }
  const auto earliest = static_cast<int64_t>(profile.active_from * static_cast<double>(period_ms));
  return std::min(period_ms, std::max(core::kMsPerDay, earliest));
}

CustomerSim::CustomerSim(const CustomerPlan& plan)
    : rng_(plan.seed),
      profile_(&group_profile(plan.group)),
      customer_(plan.customer),
      remaining_(plan.budget),
      window_begin_(plan.period_begin_ms),
      window_end_(plan.period_end_ms),
      period_end_(plan.period_end_ms) {
  CHECK(plan.budget >= 0 && plan.period_end_ms > plan.period_begin_ms);
  for (size_t i = 0; i < favorites_.size(); ++i) {
    int category = 0;
    do {
      category = static_cast<int>(rng_.uniform_int(0, kCategoryCount - 1));
    } while (std::find(favorites_.begin(), favorites_.begin() + i, category) !=
             favorites_.begin() + i);
    favorites_[i] = category;
  }
  const int64_t period = period_end_ - window_begin_;
  if (profile_->active_to < 1.0) {
    // A churner: active from the start until a uniform point in [active_from, active_to].
    const double fraction =
        profile_->active_from + (profile_->active_to - profile_->active_from) * rng_.uniform();
    const auto active = static_cast<int64_t>(fraction * static_cast<double>(period));
    window_end_ = window_begin_ + std::min(period, std::max(core::kMsPerDay, active));
  }
  CHECK(remaining_ <= (window_end_ - window_begin_) / 2);
  if (remaining_ == 0) {
    return;
  }
  const auto by_length =
      static_cast<int64_t>(static_cast<double>(remaining_) / profile_->session_events + 0.999999);
  const int64_t by_time =
      std::max<int64_t>(1, (window_end_ - window_begin_) / kMinSessionSpacingMs);
  sessions_left_ = std::clamp<int64_t>(by_length, 1, std::min(by_time, remaining_));
  start_session();
}

void CustomerSim::start_session() {
  // The k remaining session starts are k sorted uniforms over the rest of the window; the
  // smallest of k uniforms on (p, 1) is 1 - (1 - p) * U^(1/k), so they come out in order.
  const int64_t k = sessions_left_;
  position_ = 1.0 - (1.0 - position_) * det_pow(rng_.uniform_open(), 1.0 / static_cast<double>(k));
  int64_t start = window_begin_ + static_cast<int64_t>(
                                      position_ * static_cast<double>(window_end_ - window_begin_));
  // Early enough for the events left and the gaps between the sessions left, at twice their mean
  // pace (random steps run over the mean): a session that started later ran past the end of the
  // window, and clamp_ts() packed its events into the period's last milliseconds (with 300
  // customers and 20000 events in a day, 168 events fell in its last second).
  const double mean_step_ms =
      kMinInSessionStepMs + std::min(kMaxInSessionGapMs, profile_->gap_mean_s * 1000.0);
  const auto needed_ms =
      static_cast<int64_t>(2.0 * mean_step_ms * static_cast<double>(remaining_)) +
      (k - 1) * (kSessionGapMs + kMeanExtraSessionGapMs);
  start = std::min(start, window_end_ - needed_ms);
  if (last_ts_ != kNoTs) {
    start =
        std::max(start, last_ts_ + kSessionGapMs + rng_.uniform_int(1000, int64_t{10} * 60 * 1000));
  }
  if (k == 1) {
    session_len_ = remaining_;
  } else {
    const double mean = static_cast<double>(remaining_) / static_cast<double>(k);
    const auto len = std::llround(mean * (0.5 + rng_.uniform()));
    session_len_ = std::clamp<int64_t>(len, 1, remaining_ - (k - 1));
  }
  --sessions_left_;
  session_index_ = 0;
  ++session_no_;
  cart_size_ = 0;
  last_product_ = -1;
  focus_category_ = -1;
  purchase_planned_ = session_len_ >= 2 && rng_.chance(profile_->p_purchase);
  refund_planned_ = has_refundable_ && (session_len_ >= 3 || !purchase_planned_) &&
                    rng_.chance(profile_->p_refund);
  next_ts_ = clamp_ts(start);
}

int64_t CustomerSim::clamp_ts(int64_t candidate) const {
  // Leave 1 ms for each later event so the budget always fits before the period ends.
  const int64_t lo = last_ts_ != kNoTs ? last_ts_ + 1 : window_begin_;
  const int64_t hi = period_end_ - remaining_;
  CHECK(lo <= hi);
  return std::clamp(candidate, lo, hi);
}

Step CustomerSim::step(const Catalog& catalog, double bad_rate) {
  CHECK(!done());
  const int64_t ts = next_ts_;
  GenEvent event = make_event(catalog, ts);
  --remaining_;
  Step out;
  if (rng_.chance(bad_rate)) {
    out = bad_step(catalog, std::move(event));
  } else {
    if (event.kind == core::EventType::kPurchase) {
      has_refundable_ = true;
      refund_order_ = event.order_no;
      refund_item_ = event.items.front();
    }
    if (rng_.chance(kLateRate)) {
      out.late_by_ms = rng_.uniform_int(core::kMsPerMinute, 5 * core::kMsPerMinute);
    }
    // A copy takes a slot of this session, or of the later ones, so the line total stays exact.
    const bool session_room = session_len_ > session_index_;
    const bool later_room = remaining_ > sessions_left_;
    if ((session_room || later_room) && rng_.chance(kDuplicateRate)) {
      out.duplicate_after_ms = rng_.uniform_int(core::kMsPerMinute, 30 * core::kMsPerMinute);
      if (session_room) {
        --session_len_;
      }
      --remaining_;
    }
    out.event = std::move(event);
  }
  advance(ts);
  return out;
}

void CustomerSim::advance(int64_t ts) {
  last_ts_ = ts;
  if (remaining_ == 0) {
    return;
  }
  if (session_index_ < session_len_) {
    const double gap = std::min(kMaxInSessionGapMs, rng_.exponential(profile_->gap_mean_s * 1000));
    next_ts_ =
        clamp_ts(ts + kMinEventStepMs + static_cast<int64_t>(gap) + rng_.uniform_int(0, 999));
  } else {
    start_session();
  }
}

core::EventType CustomerSim::choose_kind() {
  const int64_t index = session_index_;
  const int64_t last = session_len_ - 1;
  if (refund_planned_ && index == 0) {
    return core::EventType::kRefund;
  }
  if (purchase_planned_ && index == last && cart_size_ > 0) {
    return core::EventType::kPurchase;
  }
  if (purchase_planned_ && index >= last - 1 && cart_size_ == 0) {
    return core::EventType::kAddToCart;
  }
  BrowseWeights weights = profile_->browse;
  if (cart_size_ == 0) {
    weights[4] = 0.0;
  }
  if (cart_size_ == kMaxCart) {
    weights[3] = 0.0;
  }
  static constexpr std::array<core::EventType, 5> kBrowseKinds{
      core::EventType::kPageView, core::EventType::kProductView, core::EventType::kSearch,
      core::EventType::kAddToCart, core::EventType::kRemoveFromCart};
  return kBrowseKinds[rng_.categorical(weights)];
}

GenEvent CustomerSim::make_event(const Catalog& catalog, int64_t ts) {
  GenEvent event;
  event.kind = choose_kind();
  ++session_index_;
  event.customer = customer_;
  event.event_no = ++event_no_;
  event.ts_ms = ts;
  event.ts_format = rng_.chance(kEpochMsRate) ? TsFormat::kEpochMs : TsFormat::kRfc3339;
  event.session_no = session_no_;
  if (event.kind == core::EventType::kPurchase || event.kind == core::EventType::kRefund) {
    return order_event(std::move(event));
  }
  return browse_event(catalog, std::move(event));
}

GenEvent CustomerSim::browse_event(const Catalog& catalog, GenEvent event) {
  switch (event.kind) {
    case core::EventType::kPageView:
      break;
    case core::EventType::kProductView:
      event.product = pick_product(catalog);
      last_product_ = event.product;
      break;
    case core::EventType::kSearch:
      event.category = pick_category();
      event.query = catalog.sample_query(rng_, event.category);
      focus_category_ = event.category;
      break;
    case core::EventType::kAddToCart: {
      const bool reuse = last_product_ >= 0 && rng_.chance(kReAddLastViewed);
      event.product = reuse ? last_product_ : pick_product(catalog);
      event.quantity = static_cast<int32_t>(rng_.uniform_int(1, profile_->max_quantity));
      add_to_cart(GenItem{event.product, event.quantity, catalog.price_cents(event.product)});
      last_product_ = event.product;
      break;
    }
    case core::EventType::kRemoveFromCart: {
      const auto index = static_cast<size_t>(rng_.uniform_int(0, cart_size_ - 1));
      event.product = cart_[index].product;
      event.quantity = cart_[index].quantity;
      std::copy(cart_.begin() + index + 1, cart_.begin() + cart_size_, cart_.begin() + index);
      --cart_size_;
      break;
    }
    case core::EventType::kPurchase:
    case core::EventType::kRefund:
    case core::EventType::kErasure:  // The generator writes no erasures.
      CHECK(false);
  }
  return event;
}

GenEvent CustomerSim::order_event(GenEvent event) {
  if (event.kind == core::EventType::kRefund) {
    // Refund one line of the last unrefunded order: never more than that order's amount.
    event.order_no = refund_order_;
    event.items.push_back(refund_item_);
    has_refundable_ = false;
  } else {
    event.order_no = ++order_no_;
    event.items.assign(cart_.begin(), cart_.begin() + cart_size_);
    cart_size_ = 0;
  }
  for (const GenItem& item : event.items) {
    event.amount_cents += item.quantity * item.price_cents;
  }
  return event;
}

Step CustomerSim::bad_step(const Catalog& catalog, GenEvent event) {
  Step out;
  out.bad = static_cast<BadKind>(rng_.categorical(kBadKindWeights));
  out.variant = rng_.next();
  if (*out.bad == BadKind::kNegativeAmount && event.kind != core::EventType::kPurchase) {
    // Rewrite as a purchase of one product; its order id is used nowhere else.
    const int32_t product = event.product >= 0 ? event.product : pick_product(catalog);
    event.kind = core::EventType::kPurchase;
    event.order_no = ++order_no_;
    event.items.assign(1, GenItem{product, 1, catalog.price_cents(product)});
    event.amount_cents = catalog.price_cents(product);
  }
  if (*out.bad == BadKind::kNegativeAmount) {
    event.amount_cents = -std::max<int64_t>(1, event.amount_cents);
  }
  out.event = std::move(event);
  return out;
}

void CustomerSim::add_to_cart(const GenItem& item) {
  for (int i = 0; i < cart_size_; ++i) {
    if (cart_[static_cast<size_t>(i)].product == item.product) {
      cart_[static_cast<size_t>(i)].quantity += item.quantity;
      return;
    }
  }
  CHECK(cart_size_ < kMaxCart);
  cart_[static_cast<size_t>(cart_size_++)] = item;
}

int CustomerSim::pick_category() {
  if (focus_category_ >= 0 && rng_.chance(kFocusStickiness)) {
    return focus_category_;
  }
  if (rng_.chance(kFavoriteShare)) {
    return favorites_[rng_.categorical(kFavoriteWeights)];
  }
  return static_cast<int>(rng_.uniform_int(0, kCategoryCount - 1));
}

int32_t CustomerSim::pick_product(const Catalog& catalog) {
  const int category = pick_category();
  int32_t best = catalog.sample_product(rng_, category);
  if (profile_->taste == PriceTaste::kNeutral) {
    return best;
  }
  for (int i = 0; i < 2; ++i) {
    const int32_t other = catalog.sample_product(rng_, category);
    const bool better = profile_->taste == PriceTaste::kPremium
                            ? catalog.price_cents(other) > catalog.price_cents(best)
                            : catalog.price_cents(other) < catalog.price_cents(best);
    if (better) {
      best = other;
    }
  }
  return best;
}

}  // namespace segd::gen
