#include "io/state/state_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <span>
#include <string_view>

#include "core/common/check.h"
#include "io/state/proto_bytes.h"
#include "io/state/wire_format.h"
#include "segd/v1/state.pb.h"

namespace segd::io {
namespace {

using wire::encode_with;
using wire::field_number;
using wire::wire_type;
using wire::WireReader;
using wire::WireType;

constexpr int kDecayedCount = core::kActivityCount * core::kHalfLifeCount;
// The decayed counts are read and written as one run of doubles, row after row.
static_assert(sizeof(core::CustomerState::decayed) == kDecayedCount * sizeof(double));

// How a state's decayed counts are stored (state.proto, `decayed`): all 12, or only the rows of
// the activity kinds seen (count not 0). A kind never seen has a row of zeros, which is left
// out: 28% of the rows in the states a replay of `segctl gen` data writes, where `decayed` took
// a quarter of the bytes.
struct DecayedRows {
  std::array<double, kDecayedCount> values{};
  int size = 0;  // Values used: 12, or 3 for each kind seen.
};

bool all_positive_zeros(const std::array<double, core::kHalfLifeCount>& row) {
  return std::all_of(row.begin(), row.end(),
                     [](double v) { return std::bit_cast<uint64_t>(v) == 0; });
}

DecayedRows decayed_rows(const core::CustomerState& s) {
  DecayedRows out;
  // Rows are left out only when the reader puts zeros back in their place: when every kind not
  // seen has a row of +0.0 (always, unless the state was made by hand).
  bool leave_out = true;
  for (int a = 0; a < core::kActivityCount; ++a) {
    leave_out = leave_out && (s.counts[a] != 0 || all_positive_zeros(s.decayed[a]));
  }
  for (int a = 0; a < core::kActivityCount; ++a) {
    if (!leave_out || s.counts[a] != 0) {
      std::copy(s.decayed[a].begin(), s.decayed[a].end(), out.values.begin() + out.size);
      out.size += core::kHalfLifeCount;
    }
  }
  return out;
}

// How many decayed values a state with these counts may hold: 12, or 3 for each kind seen.
bool valid_decayed_size(const std::array<int64_t, core::kActivityCount>& counts, int size) {
  const auto seen = std::count_if(counts.begin(), counts.end(), [](int64_t c) { return c != 0; });
  return size == kDecayedCount || size == core::kHalfLifeCount * static_cast<int>(seen);
}

// The first `size` values of `s.decayed`, read in order, put back in the rows they came from:
// valid_decayed_size() holds; fewer than 12 are the rows of the kinds seen.
void place_decayed_rows(core::CustomerState& s, int size) {
  if (size == kDecayedCount) {
    return;
  }
  // Last kind first. The values not placed yet, those of kinds before `a`, lie before `next`,
  // which is at most a's place: a row moves only further on (by whole rows), and a row filled
  // with zeros holds none of them.
  double* const flat = s.decayed[0].data();
  int next = size;
  for (int a = core::kActivityCount - 1; a >= 0; --a) {
    double* const row = s.decayed[a].data();
    if (s.counts[a] != 0) {
      next -= core::kHalfLifeCount;
      std::copy_n(flat + next, core::kHalfLifeCount, row);
    } else {
      std::fill_n(row, core::kHalfLifeCount, 0.0);
    }
  }
}

// The message objects are reused per thread: Clear() keeps the allocated sub-messages and string
// capacity, so steady-state encoding and decoding allocate almost nothing besides the result.
v1::CustomerState& customer_message() {
  thread_local v1::CustomerState msg;
  msg.Clear();
  return msg;
}

v1::SegmentChange& change_message() {
  thread_local v1::SegmentChange msg;
  msg.Clear();
  return msg;
}

void read_lists(const v1::CustomerState& m, core::CustomerState& s) {
  s.days.reserve(m.days_size());
  for (const v1::DayBucket& d : m.days()) {
    s.days.push_back(core::DayBucket{d.day(), d.orders(), d.monetary()});
  }
  s.sessions.reserve(m.sessions_size());
  for (const v1::Session& x : m.sessions()) {
    s.sessions.push_back(core::Session{x.start_ms(), x.end_ms()});
  }
  s.categories.reserve(m.categories_size());
  for (const v1::CategoryScore& c : m.categories()) {
    s.categories.push_back(core::CategoryScore{c.category(), c.score()});
  }
  s.cart.reserve(m.cart_size());
  for (const v1::CartLine& c : m.cart()) {
    s.cart.push_back(core::CartLine{c.ts_ms(), c.product_id(), c.quantity(), c.price()});
  }
  s.recent_event_ids.assign(m.recent_event_ids().begin(), m.recent_event_ids().end());
  s.recent_order_ids.assign(m.recent_order_ids().begin(), m.recent_order_ids().end());
  s.segments.assign(m.segments().begin(), m.segments().end());
}

template <typename Sink>
void write_customer(Sink& w, const core::CustomerState& s) {
  using M = v1::CustomerState;
  w.bytes_field(M::kCustomerIdFieldNumber, s.customer_id);
  w.int64_field(M::kVersionFieldNumber, s.version);
  w.int64_field(M::kLastEventMsFieldNumber, s.last_event_ms);
  w.int64_field(M::kFirstEventMsFieldNumber, s.first_event_ms);
  w.int64_field(M::kOrdersTotalFieldNumber, s.orders_total);
  w.double_field(M::kMonetaryTotalFieldNumber, s.monetary_total);
  w.int64_field(M::kFirstPurchaseMsFieldNumber, s.first_purchase_ms);
  w.int64_field(M::kLastPurchaseMsFieldNumber, s.last_purchase_ms);
  w.int64_field(M::kPurchaseDaysFieldNumber, s.purchase_days);
  w.int64_field(M::kRefundsTotalFieldNumber, s.refunds_total);
  w.double_field(M::kRefundAmountTotalFieldNumber, s.refund_amount_total);
  for (const core::DayBucket& d : s.days) {
    w.message(M::kDaysFieldNumber, [&d](auto& m) {
      m.int64_field(v1::DayBucket::kDayFieldNumber, d.day);
      m.int64_field(v1::DayBucket::kOrdersFieldNumber, d.orders);  // int32: sign-extended.
      m.double_field(v1::DayBucket::kMonetaryFieldNumber, d.monetary);
    });
  }
  w.packed_int64(M::kCountsFieldNumber, s.counts);
  w.int64_field(M::kActivityRefMsFieldNumber, s.activity_ref_ms);
  const DecayedRows decayed = decayed_rows(s);
  w.packed_fixed64(M::kDecayedFieldNumber,
                   std::span<const double>(decayed.values.data(), decayed.size));
  w.int64_field(M::kSessionsTotalFieldNumber, s.sessions_total);
  w.int64_field(M::kSessionMsTotalFieldNumber, s.session_ms_total);
  for (const core::Session& x : s.sessions) {
    w.message(M::kSessionsFieldNumber, [&x](auto& m) {
      m.int64_field(v1::Session::kStartMsFieldNumber, x.start_ms);
      m.int64_field(v1::Session::kEndMsFieldNumber, x.end_ms);
    });
  }
  w.int64_field(M::kAffinityRefMsFieldNumber, s.affinity_ref_ms);
  for (const core::CategoryScore& c : s.categories) {
    w.message(M::kCategoriesFieldNumber, [&c](auto& m) {
      m.bytes_field(v1::CategoryScore::kCategoryFieldNumber, c.category);
      m.double_field(v1::CategoryScore::kScoreFieldNumber, c.score);
    });
  }
  w.int64_field(M::kLastCartAddMsFieldNumber, s.last_cart_add_ms);
  for (const core::CartLine& c : s.cart) {
    w.message(M::kCartFieldNumber, [&c](auto& m) {
      m.int64_field(v1::CartLine::kTsMsFieldNumber, c.ts_ms);
      m.bytes_field(v1::CartLine::kProductIdFieldNumber, c.product_id);
      m.int64_field(v1::CartLine::kQuantityFieldNumber, c.quantity);
      m.double_field(v1::CartLine::kPriceFieldNumber, c.price);
    });
  }
  w.packed_fixed64(M::kRecentEventIdsFieldNumber, std::span<const uint64_t>(s.recent_event_ids));
  w.packed_fixed64(M::kRecentOrderIdsFieldNumber, std::span<const uint64_t>(s.recent_order_ids));
  for (const std::string& segment : s.segments) {
    w.length_delimited(M::kSegmentsFieldNumber, segment);
  }
  w.int64_field(M::kTimerDueMsFieldNumber, s.timer_due_ms);
  w.int64_field(M::kModelVersionFieldNumber, s.model_version);
  w.int64_field(M::kIncarnationFieldNumber, s.incarnation);
}

int cause_number(core::CauseKind cause) {
  switch (cause) {
    case core::CauseKind::kEvent:
      return v1::CAUSE_KIND_EVENT;
    case core::CauseKind::kTimer:
      return v1::CAUSE_KIND_TIMER;
    case core::CauseKind::kModel:
      return v1::CAUSE_KIND_MODEL;
    case core::CauseKind::kErasure:
      return v1::CAUSE_KIND_ERASURE;
  }
  return v1::CAUSE_KIND_EVENT;
}

template <typename Sink>
void write_change(Sink& w, const core::SegmentChange& c) {
  using M = v1::SegmentChange;
  w.bytes_field(M::kEventIdFieldNumber, c.event_id);
  w.bytes_field(M::kCustomerIdFieldNumber, c.customer_id);
  w.bytes_field(M::kSegmentFieldNumber, c.segment);
  w.int64_field(M::kChangeFieldNumber, c.change == core::ChangeKind::kEnter ? v1::CHANGE_KIND_ENTER
                                                                            : v1::CHANGE_KIND_EXIT);
  w.int64_field(M::kAtMsFieldNumber, c.at.value());
  w.int64_field(M::kModelVersionFieldNumber, c.model_version);
  w.int64_field(M::kCauseFieldNumber, cause_number(c.cause));
  w.bytes_field(M::kCauseEventIdFieldNumber, c.cause_event_id);
  w.bytes_field(M::kReasonFieldNumber, c.reason);
  for (const core::DecidingValue& v : c.values) {
    w.message(M::kValuesFieldNumber, [&v](auto& m) {
      m.bytes_field(v1::DecidingValue::kNameFieldNumber, v.name);
      m.double_field(v1::DecidingValue::kValueFieldNumber, v.value);
    });
  }
}

bool read_int64(WireReader& in, int64_t& out) {
  uint64_t v = 0;
  if (!in.varint(v)) {
    return false;
  }
  out = static_cast<int64_t>(v);
  return true;
}

bool read_double(WireReader& in, double& out) {
  uint64_t v = 0;
  if (!in.fixed64(v)) {
    return false;
  }
  out = std::bit_cast<double>(v);
  return true;
}

// A repeated number field, packed or not, appended to out[0..n) from `used` on (values beyond n
// are counted, not stored, so that a wrong count is reported).
template <typename T>
bool read_repeated(WireReader& in,
                   WireType type,
                   WireType element_type,
                   bool (*read)(WireReader&, T&),
                   T* out,
                   int n,
                   int& used) {
  const auto one = [&](WireReader& from) {
    T v{};
    if (!read(from, v)) {
      return false;
    }
    if (used < n) {
      out[used] = v;
    }
    ++used;
    return true;
  };
  if (type == element_type) {
    return one(in);
  }
  std::string_view packed;
  if (type != WireType::kLengthDelimited || !in.delimited(packed)) {
    return false;
  }
  WireReader elements(packed);
  while (!elements.at_end()) {
    if (!one(elements)) {
      return false;
    }
  }
  return true;
}

// One scalar field of CustomerState into `s`; false on a malformed value.
bool read_scalar(WireReader& in, uint32_t tag, core::CustomerState& s, int& counts, int& decayed) {
  using M = v1::CustomerState;
  const WireType type = wire_type(tag);
  const int field = field_number(tag);
  const bool varint = type == WireType::kVarint;
  const bool fixed64 = type == WireType::kFixed64;
  const auto i64 = [&](int64_t& out) { return read_int64(in, out); };
  if (field == M::kCustomerIdFieldNumber && type == WireType::kLengthDelimited) {
    std::string_view id;
    if (!in.delimited(id)) {
      return false;
    }
    s.customer_id = id;
    return true;
  }
  if (field == M::kCountsFieldNumber) {
    return read_repeated<int64_t>(in, type, WireType::kVarint, read_int64, s.counts.data(),
                                  core::kActivityCount, counts);
  }
  if (field == M::kDecayedFieldNumber) {
    return read_repeated<double>(in, type, WireType::kFixed64, read_double, s.decayed[0].data(),
                                 kDecayedCount, decayed);
  }
  if (fixed64 && field == M::kMonetaryTotalFieldNumber) {
    return read_double(in, s.monetary_total);
  }
  if (fixed64 && field == M::kRefundAmountTotalFieldNumber) {
    return read_double(in, s.refund_amount_total);
  }
  if (varint) {
    switch (field) {
      case M::kVersionFieldNumber:
        return i64(s.version);
      case M::kLastEventMsFieldNumber:
        return i64(s.last_event_ms);
      case M::kFirstEventMsFieldNumber:
        return i64(s.first_event_ms);
      case M::kOrdersTotalFieldNumber:
        return i64(s.orders_total);
      case M::kFirstPurchaseMsFieldNumber:
        return i64(s.first_purchase_ms);
      case M::kLastPurchaseMsFieldNumber:
        return i64(s.last_purchase_ms);
      case M::kPurchaseDaysFieldNumber:
        return i64(s.purchase_days);
      case M::kRefundsTotalFieldNumber:
        return i64(s.refunds_total);
      case M::kActivityRefMsFieldNumber:
        return i64(s.activity_ref_ms);
      case M::kSessionsTotalFieldNumber:
        return i64(s.sessions_total);
      case M::kSessionMsTotalFieldNumber:
        return i64(s.session_ms_total);
      case M::kAffinityRefMsFieldNumber:
        return i64(s.affinity_ref_ms);
      case M::kLastCartAddMsFieldNumber:
        return i64(s.last_cart_add_ms);
      case M::kTimerDueMsFieldNumber:
        return i64(s.timer_due_ms);
      case M::kModelVersionFieldNumber:
        return i64(s.model_version);
      case M::kIncarnationFieldNumber:
        return i64(s.incarnation);
      default:
        break;
    }
  }
  return in.skip(tag);  // A list, or an unknown field, as the full parser treats it.
}

// Parses `bytes` with the generated parser into the reused message; the returned message
// holds exactly 4 counts and as many decayed values as valid_decayed_size() takes.
core::Result<const v1::CustomerState*> parse_customer(std::string_view bytes) {
  v1::CustomerState& m = customer_message();
  if (!parse_bytes(bytes, m)) {
    return core::fail("corrupt_state", "CustomerState: bad protobuf");
  }
  std::array<int64_t, core::kActivityCount> counts{};
  if (m.counts_size() == core::kActivityCount) {
    std::copy(m.counts().begin(), m.counts().end(), counts.begin());
  }
  if (m.counts_size() != core::kActivityCount || !valid_decayed_size(counts, m.decayed_size())) {
    return core::fail("corrupt_state",
                      "CustomerState: need 4 counts, and 12 decayed values or 3 for each kind "
                      "with a count");
  }
  return &m;
}

void copy_scalars(const v1::CustomerState& m, core::CustomerState& s) {
  s.customer_id = m.customer_id();
  s.version = m.version();
  s.last_event_ms = m.last_event_ms();
  s.first_event_ms = m.first_event_ms();
  s.orders_total = m.orders_total();
  s.monetary_total = m.monetary_total();
  s.first_purchase_ms = m.first_purchase_ms();
  s.last_purchase_ms = m.last_purchase_ms();
  s.purchase_days = m.purchase_days();
  s.refunds_total = m.refunds_total();
  s.refund_amount_total = m.refund_amount_total();
  for (int a = 0; a < core::kActivityCount; ++a) {
    s.counts[a] = m.counts(a);
  }
  std::copy(m.decayed().begin(), m.decayed().end(), s.decayed[0].data());
  place_decayed_rows(s, m.decayed_size());
  s.activity_ref_ms = m.activity_ref_ms();
  s.sessions_total = m.sessions_total();
  s.session_ms_total = m.session_ms_total();
  s.affinity_ref_ms = m.affinity_ref_ms();
  s.last_cart_add_ms = m.last_cart_add_ms();
  s.timer_due_ms = m.timer_due_ms();
  s.model_version = m.model_version();
  s.incarnation = m.incarnation();
}

// Prefetches every cache line of `count` objects at `data`.
template <typename T>
void prefetch_lines(const T* data, size_t count) {
  if (count == 0) {
    return;  // An empty list's data() may be null.
  }
  constexpr size_t kLine = 64;
  const auto* at = reinterpret_cast<const char*>(data);
  const char* const end = at + count * sizeof(T);
  for (; at < end; at += kLine) {
    __builtin_prefetch(at);
  }
}

}  // namespace

void prefetch_state_object(const core::CustomerState& s) { prefetch_lines(&s, 1); }

void prefetch_state_lists(const core::CustomerState& s) {
  prefetch_lines(s.days.data(), s.days.size());
  prefetch_lines(s.sessions.data(), s.sessions.size());
  prefetch_lines(s.categories.data(), s.categories.size());
  prefetch_lines(s.cart.data(), s.cart.size());
  prefetch_lines(s.recent_event_ids.data(), s.recent_event_ids.size());
  prefetch_lines(s.recent_order_ids.data(), s.recent_order_ids.size());
  prefetch_lines(s.segments.data(), s.segments.size());
}

std::string encode_customer(const core::CustomerState& s) {
  return encode_with([&s](auto& sink) { write_customer(sink, s); });
}

core::Result<core::CustomerState> decode_customer(std::string_view bytes) {
  const core::Result<const v1::CustomerState*> m = parse_customer(bytes);
  if (!m) {
    return std::unexpected(m.error());
  }
  core::CustomerState s;
  copy_scalars(**m, s);
  read_lists(**m, s);
  return s;
}

core::Result<core::CustomerState> decode_customer_scalars(std::string_view bytes) {
  WireReader in(bytes);
  core::CustomerState s;
  int counts = 0;
  int decayed = 0;
  bool read = true;
  while (read && !in.at_end()) {
    uint32_t tag = 0;
    read = in.tag(tag) && read_scalar(in, tag, s, counts, decayed);
  }
  if (read && counts == core::kActivityCount && valid_decayed_size(s.counts, decayed)) {
    place_decayed_rows(s, decayed);
    return s;
  }
  // WireReader takes the wire format encode_customer writes. Anything else (what protobuf's
  // parser tolerates: tags it truncates to 32 bits, groups among unknown fields; and what it
  // rejects) goes through that parser, so every value decode_customer accepts decodes here too,
  // to the same fields, and its rejections are decode_customer's.
  const core::Result<const v1::CustomerState*> m = parse_customer(bytes);
  if (!m) {
    return std::unexpected(m.error());
  }
  core::CustomerState slow;
  copy_scalars(**m, slow);
  return slow;
}

std::string encode_change(const core::SegmentChange& c) {
  return encode_with([&c](auto& sink) { write_change(sink, c); });
}

core::Result<core::SegmentChange> decode_change(std::string_view bytes) {
  v1::SegmentChange& m = change_message();
  if (!parse_bytes(bytes, m)) {
    return core::fail("corrupt_state", "SegmentChange: bad protobuf");
  }
  core::SegmentChange c;
  switch (m.change()) {
    case v1::CHANGE_KIND_ENTER:
      c.change = core::ChangeKind::kEnter;
      break;
    case v1::CHANGE_KIND_EXIT:
      c.change = core::ChangeKind::kExit;
      break;
    default:  // proto3 enums are open: any int parses.
      return core::fail("corrupt_state", "SegmentChange: unknown change kind");
  }
  switch (m.cause()) {
    case v1::CAUSE_KIND_EVENT:
      c.cause = core::CauseKind::kEvent;
      break;
    case v1::CAUSE_KIND_TIMER:
      c.cause = core::CauseKind::kTimer;
      break;
    case v1::CAUSE_KIND_MODEL:
      c.cause = core::CauseKind::kModel;
      break;
    case v1::CAUSE_KIND_ERASURE:
      c.cause = core::CauseKind::kErasure;
      break;
    default:
      return core::fail("corrupt_state", "SegmentChange: unknown cause kind");
  }
  c.event_id = m.event_id();
  c.customer_id = m.customer_id();
  c.segment = m.segment();
  c.at = core::TimestampMs(m.at_ms());
  c.model_version = m.model_version();
  c.cause_event_id = m.cause_event_id();
  c.reason = m.reason();
  c.values.reserve(m.values_size());
  for (const v1::DecidingValue& v : m.values()) {
    c.values.push_back(core::DecidingValue{v.name(), v.value()});
  }
  return c;
}

std::string encode_model(const ModelRecord& model) {
  v1::ModelSnapshot m;
  m.set_version(model.version);
  m.set_active_from_ms(model.active_from_ms);
  m.set_trained_as_of_ms(model.trained_as_of_ms);
  m.set_payload(model.payload);
  return serialize_deterministic(m);
}

core::Result<ModelRecord> decode_model(std::string_view bytes) {
  v1::ModelSnapshot m;
  if (!parse_bytes(bytes, m)) {
    return core::fail("corrupt_state", "ModelSnapshot: bad protobuf");
  }
  const int64_t as_of = m.trained_as_of_ms() != 0 ? m.trained_as_of_ms() : m.active_from_ms();
  return ModelRecord{m.version(), m.active_from_ms(), std::move(*m.mutable_payload()), as_of};
}

}  // namespace segd::io
