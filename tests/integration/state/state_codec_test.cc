#include "io/state/state_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <string>

#include "core/events/validate.h"
#include "core/segments/rule_set.h"
#include "io/state/proto_bytes.h"
#include "io/state/state_keys.h"
#include "segd/v1/state.pb.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::make_change;
using testing::typical_state;
using testing::without_lists;

core::CustomerState maximal_state() {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // Every integer at an end of its range, set here: typical_state's arithmetic on such a seed
  // would overflow.
  core::CustomerState s = typical_state(std::string(256, 'c'), 0);
  s.version = kMax;
  s.first_event_ms = kMin;
  s.last_event_ms = kMax;
  s.orders_total = kMax;
  s.first_purchase_ms = kMin;
  s.last_purchase_ms = kMax;
  s.purchase_days = kMax;
  s.refunds_total = kMax;
  s.counts[0] = kMax;
  s.counts[1] = kMin;
  s.counts[3] = kMax;
  s.activity_ref_ms = kMin;
  s.sessions_total = kMax;
  s.session_ms_total = kMax;
  s.affinity_ref_ms = kMax;
  s.last_cart_add_ms = kMin;
  s.timer_due_ms = kMax;
  s.model_version = kMax;
  s.incarnation = kMax;
  s.monetary_total = std::numeric_limits<double>::max();
  s.refund_amount_total = -std::numeric_limits<double>::infinity();
  s.days.clear();
  for (size_t i = 0; i < core::kMaxDayBuckets; ++i) {
    s.days.push_back(core::DayBucket{static_cast<int64_t>(i), std::numeric_limits<int32_t>::max(),
                                     std::numeric_limits<double>::denorm_min()});
  }
  s.sessions.assign(core::kMaxSessions, core::Session{kMin, kMax});
  s.cart.assign(core::kMaxCartLines, core::CartLine{kMax, std::string(128, 'p'), kMin, -0.5});
  s.categories.assign(core::kMaxCategories, core::CategoryScore{std::string(64, 'k'), 1e300});
  s.recent_event_ids.assign(core::kMaxRecentEventIds, std::numeric_limits<uint64_t>::max());
  s.recent_order_ids.assign(core::kMaxRecentOrderIds, 0);
  s.segments.assign(32, std::string(64, 's'));
  s.customer_id.push_back('\xff');  // Not UTF-8: the schema uses bytes, so this must survive.
  return s;
}

TEST(StateCodecTest, TypicalStateRoundTrips) {
  const core::CustomerState s = typical_state("c42", 7);
  const core::Result<core::CustomerState> back = decode_customer(encode_customer(s));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, s);
}

TEST(StateCodecTest, EmptyStateRoundTrips) {
  const core::CustomerState s;
  const std::string bytes = encode_customer(s);
  const core::Result<core::CustomerState> back = decode_customer(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, s);
}

TEST(StateCodecTest, MaximalStateRoundTrips) {
  const core::CustomerState s = maximal_state();
  const std::string bytes = encode_customer(s);
  const core::Result<core::CustomerState> back = decode_customer(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, s);
  // The documented per-customer bound (STORAGE.md) holds for this state.
  EXPECT_LT(bytes.size(), 64u * 1024u);
}

// The worst case STORAGE.md and README quote: every list full, integers at the ends of their
// ranges, and every text as long as the input allows (customer and product ids 128 bytes,
// category names 256), with 64 segments of the longest name. STORAGE.md described it with a
// 256-byte customer id, which validation refuses, and README with 128-byte ids throughout.
TEST(StateCodecTest, TheLargestStateTheInputAllowsFitsTheDocumentedBound) {
  core::CustomerState s = maximal_state();
  const core::ValidationLimits limits;
  s.customer_id.assign(limits.max_customer_id_bytes, 'c');
  for (core::CartLine& line : s.cart) {
    line.product_id.assign(limits.max_id_bytes, 'p');
  }
  for (core::CategoryScore& category : s.categories) {
    category.category.assign(limits.max_text_bytes, 'k');
  }
  s.segments.assign(64, std::string(core::kMaxSegmentNameBytes, 's'));
  const size_t bytes = encode_customer(s).size();
  RecordProperty("bytes", std::to_string(bytes));
  EXPECT_LE(bytes, 55'872u);  // STORAGE.md: 55,872 bytes (54.6 KiB).
}

TEST(StateCodecTest, EncodingIsDeterministicAndStable) {
  const core::CustomerState s = typical_state("c1", 3);
  const std::string a = encode_customer(s);
  // Encode something else in between: the reused message must not leak fields.
  const std::string other = encode_customer(maximal_state());
  const std::string b = encode_customer(s);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_EQ(encode_customer(*decode_customer(a)), a);
}

// What protobuf's own serializer writes for `s`: the oracle for encode_customer's hand-written
// wire format.
std::string protobuf_encoding(const core::CustomerState& s) {
  v1::CustomerState m;
  m.set_customer_id(s.customer_id);
  m.set_version(s.version);
  m.set_last_event_ms(s.last_event_ms);
  m.set_first_event_ms(s.first_event_ms);
  m.set_orders_total(s.orders_total);
  m.set_monetary_total(s.monetary_total);
  m.set_first_purchase_ms(s.first_purchase_ms);
  m.set_last_purchase_ms(s.last_purchase_ms);
  m.set_purchase_days(s.purchase_days);
  m.set_refunds_total(s.refunds_total);
  m.set_refund_amount_total(s.refund_amount_total);
  for (const core::DayBucket& d : s.days) {
    v1::DayBucket* out = m.add_days();
    out->set_day(d.day);
    out->set_orders(d.orders);
    out->set_monetary(d.monetary);
  }
  m.mutable_counts()->Add(std::begin(s.counts), std::end(s.counts));
  m.set_activity_ref_ms(s.activity_ref_ms);
  // The rows of the kinds seen; all of them when a kind not seen has a row other than +0.0.
  bool leave_out = true;
  for (size_t a = 0; a < s.counts.size(); ++a) {
    for (const double v : s.decayed[a]) {
      leave_out = leave_out && (s.counts[a] != 0 || std::bit_cast<uint64_t>(v) == 0);
    }
  }
  for (size_t a = 0; a < s.counts.size(); ++a) {
    if (!leave_out || s.counts[a] != 0) {
      m.mutable_decayed()->Add(std::begin(s.decayed[a]), std::end(s.decayed[a]));
    }
  }
  m.set_sessions_total(s.sessions_total);
  m.set_session_ms_total(s.session_ms_total);
  for (const core::Session& x : s.sessions) {
    v1::Session* out = m.add_sessions();
    out->set_start_ms(x.start_ms);
    out->set_end_ms(x.end_ms);
  }
  m.set_affinity_ref_ms(s.affinity_ref_ms);
  for (const core::CategoryScore& c : s.categories) {
    v1::CategoryScore* out = m.add_categories();
    out->set_category(c.category);
    out->set_score(c.score);
  }
  m.set_last_cart_add_ms(s.last_cart_add_ms);
  for (const core::CartLine& c : s.cart) {
    v1::CartLine* out = m.add_cart();
    out->set_ts_ms(c.ts_ms);
    out->set_product_id(c.product_id);
    out->set_quantity(c.quantity);
    out->set_price(c.price);
  }
  m.mutable_recent_event_ids()->Add(s.recent_event_ids.begin(), s.recent_event_ids.end());
  m.mutable_recent_order_ids()->Add(s.recent_order_ids.begin(), s.recent_order_ids.end());
  for (const std::string& segment : s.segments) {
    m.add_segments(segment);
  }
  m.set_timer_due_ms(s.timer_due_ms);
  m.set_model_version(s.model_version);
  m.set_incarnation(s.incarnation);
  return serialize_deterministic(m);
}

// Values that exercise every encoding path: zero (left out), negative (10-byte varints, int32
// sign extension), -0.0 (written), NaN, empty strings in lists (written), empty lists.
core::CustomerState odd_state(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto pick = [&rng](std::initializer_list<int64_t> values) {
    return *(values.begin() + static_cast<std::ptrdiff_t>(rng() % values.size()));
  };
  const auto number = [&] {
    return pick({0, 1, -1, 127, 128, -128, 300, 1'700'000'000'000,
                 std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()});
  };
  const auto real = [&] {
    const double values[] = {0.0,
                             -0.0,
                             1.5,
                             -2.25,
                             std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             1e-310};
    return values[rng() % std::size(values)];
  };
  const auto text = [&] { return std::string(rng() % 3 == 0 ? 0 : rng() % 20, 'x'); };
  core::CustomerState s;
  s.customer_id = text();
  s.version = number();
  s.last_event_ms = number();
  s.first_event_ms = number();
  s.orders_total = number();
  s.monetary_total = real();
  s.first_purchase_ms = number();
  s.last_purchase_ms = number();
  s.purchase_days = number();
  s.refunds_total = number();
  s.refund_amount_total = real();
  for (size_t i = rng() % 4; i > 0; --i) {
    s.days.push_back(
        core::DayBucket{number(), static_cast<int32_t>(pick({0, 1, -1, 70000})), real()});
  }
  for (int a = 0; a < core::kActivityCount; ++a) {
    s.counts[a] = number();
    for (int h = 0; h < core::kHalfLifeCount; ++h) {
      s.decayed[a][h] = real();
    }
  }
  s.activity_ref_ms = number();
  s.sessions_total = number();
  s.session_ms_total = number();
  for (size_t i = rng() % 3; i > 0; --i) {
    s.sessions.push_back(core::Session{number(), number()});
  }
  s.affinity_ref_ms = number();
  for (size_t i = rng() % 3; i > 0; --i) {
    s.categories.push_back(core::CategoryScore{text(), real()});
  }
  s.last_cart_add_ms = number();
  for (size_t i = rng() % 3; i > 0; --i) {
    s.cart.push_back(core::CartLine{number(), text(), number(), real()});
  }
  for (size_t i = rng() % 4; i > 0; --i) {
    s.recent_event_ids.push_back(rng());
  }
  for (size_t i = rng() % 4; i > 0; --i) {
    s.recent_order_ids.push_back(rng() % 2 == 0 ? 0 : rng());
  }
  for (size_t i = rng() % 3; i > 0; --i) {
    s.segments.push_back(text());
  }
  s.timer_due_ms = number();
  s.model_version = number();
  s.incarnation = number();
  return s;
}

TEST(StateCodecTest, EncodingIsTheBytesProtobufWrites) {
  EXPECT_EQ(encode_customer(core::CustomerState{}), protobuf_encoding(core::CustomerState{}));
  EXPECT_EQ(encode_customer(typical_state("c7", 7)), protobuf_encoding(typical_state("c7", 7)));
  EXPECT_EQ(encode_customer(maximal_state()), protobuf_encoding(maximal_state()));
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const core::CustomerState s = odd_state(seed);
    ASSERT_EQ(encode_customer(s), protobuf_encoding(s)) << "seed " << seed;
  }
}

TEST(StateCodecTest, DecodeAfterLargerStateDoesNotLeakFields) {
  ASSERT_TRUE(decode_customer(encode_customer(maximal_state())).has_value());
  const core::CustomerState small = typical_state("c2", 1);
  EXPECT_EQ(*decode_customer(encode_customer(small)), small);
}

TEST(StateCodecTest, GarbageBytesAreCorruptState) {
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  const core::Result<core::CustomerState> r = decode_customer(garbage);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
}

TEST(StateCodecTest, TruncatedBytesAreCorruptState) {
  const std::string bytes = encode_customer(typical_state("c3", 2));
  for (size_t cut : {size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    const core::Result<core::CustomerState> r = decode_customer(bytes.substr(0, cut));
    ASSERT_FALSE(r.has_value()) << "cut at " << cut;
    EXPECT_EQ(r.error().code, "corrupt_state");
  }
}

TEST(StateCodecTest, EmptyBytesAreCorruptState) {
  // A stored state always carries its 4 counts, so zero bytes cannot be a state.
  const core::Result<core::CustomerState> r = decode_customer("");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
}

TEST(StateCodecTest, WrongDecayedLengthIsCorruptState) {
  v1::CustomerState m;
  for (int i = 0; i < 4; ++i) {
    m.add_counts(i);
  }
  for (int i = 0; i < 11; ++i) {
    m.add_decayed(i);
  }
  const core::Result<core::CustomerState> r = decode_customer(m.SerializeAsString());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
}

TEST(StateCodecTest, ScalarDecodeEqualsFullDecodeWithoutTheLists) {
  for (const core::CustomerState& s :
       {typical_state("c42", 7), maximal_state(), core::CustomerState{}}) {
    const core::Result<core::CustomerState> scalars = decode_customer_scalars(encode_customer(s));
    ASSERT_TRUE(scalars.has_value()) << scalars.error().message;
    EXPECT_EQ(*scalars, without_lists(s)) << s.customer_id;
  }
}

TEST(StateCodecTest, ScalarDecodeRejectsWhatFullDecodeRejects) {
  const std::string bytes = encode_customer(typical_state("c3", 2));
  v1::CustomerState short_decayed;
  for (int i = 0; i < 4; ++i) {
    short_decayed.add_counts(i);
  }
  short_decayed.add_decayed(1.0);
  for (const std::string& bad :
       {std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), std::string(),
        bytes.substr(0, 1), bytes.substr(0, bytes.size() / 2), bytes.substr(0, bytes.size() - 1),
        short_decayed.SerializeAsString(),
        // Field number 0; a group (wire type 3, never written by proto3); a skipped list entry
        // (days, field 12) and a packed list (counts, field 13) whose lengths run past the end.
        std::string(1, '\0'), std::string("\x0b"), std::string("\x62\x05\x01"),
        std::string("\x6a\x03\x01\x02")}) {
    ASSERT_FALSE(decode_customer(bad).has_value());
    const core::Result<core::CustomerState> r = decode_customer_scalars(bad);
    ASSERT_FALSE(r.has_value()) << bad.size() << " bytes";
    EXPECT_EQ(r.error().code, "corrupt_state");
  }
}

TEST(StateCodecTest, ScalarDecodeReadsUnpackedNumbersAsTheFullParserDoes) {
  // A proto3 parser accepts repeated numbers unpacked as well as packed.
  std::string bytes;
  for (int i = 0; i < 4; ++i) {
    bytes += static_cast<char>(13 << 3);  // counts, varint
    bytes += static_cast<char>(10 + i);
  }
  for (int i = 0; i < 12; ++i) {
    bytes += static_cast<char>((15 << 3) | 1);  // decayed, fixed64
    const double v = 0.5 * i;
    uint64_t raw = 0;
    std::memcpy(&raw, &v, sizeof raw);
    for (int b = 0; b < 8; ++b) {
      bytes += static_cast<char>((raw >> (8 * b)) & 0xff);
    }
  }
  const core::Result<core::CustomerState> full = decode_customer(bytes);
  ASSERT_TRUE(full.has_value()) << full.error().message;
  const core::Result<core::CustomerState> scalars = decode_customer_scalars(bytes);
  ASSERT_TRUE(scalars.has_value()) << scalars.error().message;
  EXPECT_EQ(*scalars, *full);
  EXPECT_EQ(scalars->counts[3], 13);
  EXPECT_EQ(scalars->decayed[3][2], 5.5);
}

TEST(StateCodecTest, ScalarDecodeAcceptsWhatFullDecodeAccepts) {
  // Unknown fields that encode_customer never writes but protobuf's parser takes: a 5-byte tag
  // whose bits above 32 it drops (field 100, varint), and an empty group (field 101). Found by
  // StateDecodeMutationTest.
  const std::string bytes = encode_customer(typical_state("c5", 4));
  for (const std::string& extra :
       {std::string("\xa0\x86\x80\x80\x10\x01"), std::string("\xab\x06\xac\x06")}) {
    const core::Result<core::CustomerState> full = decode_customer(bytes + extra);
    ASSERT_TRUE(full.has_value()) << full.error().message;
    const core::Result<core::CustomerState> scalars = decode_customer_scalars(bytes + extra);
    ASSERT_TRUE(scalars.has_value()) << scalars.error().message;
    EXPECT_EQ(*scalars, without_lists(*full));
  }
}

TEST(StateCodecTest, DecayedMatrixIsRowMajor) {
  core::CustomerState s;
  s.decayed[1][2] = 42.0;
  v1::CustomerState m;
  ASSERT_TRUE(m.ParseFromString(encode_customer(s)));
  ASSERT_EQ(m.decayed_size(), 12);
  EXPECT_EQ(m.decayed(1 * 3 + 2), 42.0);
}

// A state with page views and searches only: counts {5, 0, 2, 0}, and rows of zeros for the
// kinds never seen, as the engine leaves them.
core::CustomerState two_kinds_seen() {
  core::CustomerState s = typical_state("c8", 3);
  s.counts = {5, 0, 2, 0};
  s.decayed = {{{1.5, 2.5, 3.5}, {0.0, 0.0, 0.0}, {4.5, 5.5, 6.5}, {0.0, 0.0, 0.0}}};
  return s;
}

TEST(StateCodecTest, DecayedRowsOfKindsNeverSeenAreLeftOut) {
  const core::CustomerState s = two_kinds_seen();
  const std::string bytes = encode_customer(s);
  v1::CustomerState m;
  ASSERT_TRUE(m.ParseFromString(bytes));
  ASSERT_EQ(m.decayed_size(), 6);
  EXPECT_EQ(m.decayed(2), 3.5);
  EXPECT_EQ(m.decayed(3), 4.5);
  EXPECT_EQ(*decode_customer(bytes), s);
  EXPECT_EQ(*decode_customer_scalars(bytes), without_lists(s));
  // No kind seen: no decayed values at all.
  core::CustomerState none = typical_state("c9", 2);
  none.counts = {};
  none.decayed = {};
  ASSERT_TRUE(m.ParseFromString(encode_customer(none)));
  EXPECT_EQ(m.decayed_size(), 0);
  EXPECT_EQ(*decode_customer(encode_customer(none)), none);
}

// States written before rows were left out hold all 12 values: they read as they did.
TEST(StateCodecTest, TwelveDecayedValuesReadWhateverTheCounts) {
  const core::CustomerState s = two_kinds_seen();
  v1::CustomerState m;
  ASSERT_TRUE(m.ParseFromString(encode_customer(s)));
  m.clear_decayed();
  for (const auto& row : s.decayed) {
    m.mutable_decayed()->Add(std::begin(row), std::end(row));
  }
  const std::string twelve = serialize_deterministic(m);
  const core::Result<core::CustomerState> full = decode_customer(twelve);
  ASSERT_TRUE(full.has_value()) << full.error().message;
  EXPECT_EQ(*full, s);
  const core::Result<core::CustomerState> scalars = decode_customer_scalars(twelve);
  ASSERT_TRUE(scalars.has_value()) << scalars.error().message;
  EXPECT_EQ(*scalars, without_lists(s));
  EXPECT_LT(encode_customer(*full).size(), twelve.size());
}

// A row that is not +0.0 under a count of 0 (never so in the engine's states) is not left out:
// the reader would put +0.0 back. All 12 values are written, and read back bit for bit.
TEST(StateCodecTest, DecayedRowsThatAreNotZeroAreKeptWhateverTheCount) {
  for (const double odd : {1.0, -0.0}) {
    core::CustomerState s = two_kinds_seen();
    s.decayed[3][1] = odd;
    const std::string bytes = encode_customer(s);
    v1::CustomerState m;
    ASSERT_TRUE(m.ParseFromString(bytes));
    EXPECT_EQ(m.decayed_size(), 12);
    for (const core::Result<core::CustomerState>& back :
         {decode_customer(bytes), decode_customer_scalars(bytes)}) {
      ASSERT_TRUE(back.has_value()) << back.error().message;
      EXPECT_EQ(std::bit_cast<uint64_t>(back->decayed[3][1]), std::bit_cast<uint64_t>(odd));
      EXPECT_EQ(back->decayed[2][0], 4.5);
    }
  }
}

// Fewer than 12 values must be 3 for each kind seen: any other number is corrupt_state, in
// both decoders.
TEST(StateCodecTest, DecayedValuesMustBeTwelveOrThreeForEachKindSeen) {
  v1::CustomerState m;
  ASSERT_TRUE(m.ParseFromString(encode_customer(two_kinds_seen())));
  for (const int n : {0, 3, 5, 7, 9, 11, 13}) {
    m.clear_decayed();
    for (int i = 0; i < n; ++i) {
      m.add_decayed(1.0 + i);
    }
    const std::string bytes = serialize_deterministic(m);
    for (const core::Result<core::CustomerState>& r :
         {decode_customer(bytes), decode_customer_scalars(bytes)}) {
      ASSERT_FALSE(r.has_value()) << n << " values";
      EXPECT_EQ(r.error().code, "corrupt_state");
    }
  }
}

TEST(StateCodecTest, ChangeRoundTripsForEveryKind) {
  for (const core::CauseKind cause : {core::CauseKind::kEvent, core::CauseKind::kTimer,
                                      core::CauseKind::kModel, core::CauseKind::kErasure}) {
    for (const core::ChangeKind kind : {core::ChangeKind::kEnter, core::ChangeKind::kExit}) {
      core::SegmentChange c = make_change("c42", 17);
      c.cause = cause;
      c.change = kind;
      const core::Result<core::SegmentChange> back = decode_change(encode_change(c));
      ASSERT_TRUE(back.has_value()) << back.error().message;
      EXPECT_EQ(*back, c);
    }
  }
}

// What protobuf's own serializer writes for `c`: the oracle for encode_change.
std::string protobuf_encoding(const core::SegmentChange& c) {
  v1::SegmentChange m;
  m.set_event_id(c.event_id);
  m.set_customer_id(c.customer_id);
  m.set_segment(c.segment);
  m.set_change(c.change == core::ChangeKind::kEnter ? v1::CHANGE_KIND_ENTER : v1::CHANGE_KIND_EXIT);
  m.set_at_ms(c.at.value());
  m.set_model_version(c.model_version);
  const v1::CauseKind causes[] = {v1::CAUSE_KIND_EVENT, v1::CAUSE_KIND_TIMER, v1::CAUSE_KIND_MODEL,
                                  v1::CAUSE_KIND_ERASURE};
  m.set_cause(causes[static_cast<size_t>(c.cause)]);
  m.set_cause_event_id(c.cause_event_id);
  m.set_reason(c.reason);
  for (const core::DecidingValue& v : c.values) {
    v1::DecidingValue* out = m.add_values();
    out->set_name(v.name);
    out->set_value(v.value);
  }
  return serialize_deterministic(m);
}

TEST(StateCodecTest, ChangeEncodingIsTheBytesProtobufWrites) {
  EXPECT_EQ(encode_change(core::SegmentChange{}), protobuf_encoding(core::SegmentChange{}));
  const double values[] = {0.0, -0.0, 0.28, -840.0, std::numeric_limits<double>::quiet_NaN()};
  const int64_t times[] = {0, 1, -1, 1'772'359'200'000, std::numeric_limits<int64_t>::min()};
  for (const core::CauseKind cause : {core::CauseKind::kEvent, core::CauseKind::kTimer,
                                      core::CauseKind::kModel, core::CauseKind::kErasure}) {
    for (const core::ChangeKind kind : {core::ChangeKind::kEnter, core::ChangeKind::kExit}) {
      for (size_t i = 0; i < std::size(times); ++i) {
        core::SegmentChange c = make_change(i % 2 == 0 ? "c42" : "", static_cast<int64_t>(i));
        c.cause = cause;
        c.change = kind;
        c.at = core::TimestampMs(times[i]);
        c.model_version = times[(i + 1) % std::size(times)];
        c.cause_event_id = i % 3 == 0 ? "" : c.cause_event_id;
        c.values.push_back({i % 2 == 0 ? "" : "affinity(\"shoes\")", values[i]});
        ASSERT_EQ(encode_change(c), protobuf_encoding(c)) << i;
      }
    }
  }
}

// Nested messages whose length takes one, two and three bytes (cart lines of 127 and 128 bytes
// with texts of 112 and 113, and messages over 16383 bytes), which the writer makes room for after
// writing their fields.
TEST(StateCodecTest, NestedMessagesLongerThanOneLengthByteAreTheBytesProtobufWrites) {
  for (const size_t text : {size_t{112}, size_t{113}, size_t{300}, size_t{16400}}) {
    core::CustomerState s = typical_state("c1", 1);
    s.cart.push_back(core::CartLine{5, std::string(text, 'p'), 2, 3.5});
    s.categories.push_back(core::CategoryScore{std::string(text, 'k'), 0.25});
    s.categories.push_back(core::CategoryScore{"short", 0.5});
    ASSERT_EQ(encode_customer(s), protobuf_encoding(s)) << text;
    auto decoded = decode_customer(encode_customer(s));
    ASSERT_TRUE(decoded.has_value()) << text;
    EXPECT_EQ(*decoded, s) << text;

    core::SegmentChange c = make_change("c1", 1);
    c.values.push_back({std::string(text, 'v'), 1.5});
    c.values.push_back({"after", 2.5});
    ASSERT_EQ(encode_change(c), protobuf_encoding(c)) << text;
  }
}

TEST(StateCodecTest, EmptyChangeRoundTrips) {
  const core::SegmentChange c;
  EXPECT_EQ(*decode_change(encode_change(c)), c);
}

TEST(StateCodecTest, UnknownCauseKindIsCorruptState) {
  v1::SegmentChange m;
  m.set_cause(static_cast<v1::CauseKind>(9));
  const core::Result<core::SegmentChange> r = decode_change(m.SerializeAsString());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
}

TEST(StateCodecTest, GarbageChangeIsCorruptState) {
  const core::Result<core::SegmentChange> r = decode_change(
      "\x0a\x7f"
      "abc");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "corrupt_state");
}

TEST(StateCodecTest, ModelRoundTrips) {
  const ModelRecord m{5, 1'772'359'200'000, std::string("\x00\x01\x02payload", 10),
                      1'772'355'600'000};
  const core::Result<ModelRecord> back = decode_model(encode_model(m));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, m);
}

TEST(StateKeysTest, TimerKeysGroupByPartitionThenCustomer) {
  using core::PartitionId;
  const std::string a = timer_key(PartitionId(-1), "z");
  const std::string b = timer_key(PartitionId(0), "a");
  const std::string c = timer_key(PartitionId(0), "b");
  const std::string d = timer_key(PartitionId(1), "a");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_TRUE(c.starts_with(timer_prefix(PartitionId(0))));
  const auto parsed = parse_timer_key(c);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, PartitionId(0));
  EXPECT_EQ(parsed->second, "b");
  EXPECT_EQ(parse_timer_key("abc"), std::nullopt);
}

TEST(StateKeysTest, TimerValuesKeepTheModelVersionOfAModelBoundTimer) {
  const auto parsed = [](std::string_view bytes) {
    core::Timer t;
    return parse_timer_value(bytes, t) ? std::optional<core::Timer>(t) : std::nullopt;
  };
  for (const core::Timer& t :
       {core::Timer{-5, "", std::nullopt}, core::Timer{1'767'312'000'000, "", 0},
        core::Timer{1'767'312'000'000, "", 12}, core::Timer{core::kWhenAModelIsActive, "", 3}}) {
    EXPECT_EQ(timer_value(t).size(), t.model_version ? 16u : 8u);
    EXPECT_EQ(parsed(timer_value(t)), t);
  }
  // Before model-bound timers had a version, a customer waiting for the first model stored an
  // 8-byte kWhenAModelIsActive: it waits for the first model still.
  EXPECT_EQ(parsed(encode_i64(core::kWhenAModelIsActive)),
            (core::Timer{core::kWhenAModelIsActive, "", 0}));
  EXPECT_EQ(parsed("short"), std::nullopt);
  EXPECT_EQ(parsed(encode_i64(1) + "1234"), std::nullopt);
  EXPECT_EQ(parsed(encode_i64(1) + encode_i64(2) + "x"), std::nullopt);
}

TEST(StateKeysTest, IntegerEncodingsKeepNumericOrder) {
  EXPECT_LT(encode_i64(std::numeric_limits<int64_t>::min()), encode_i64(-1));
  EXPECT_LT(encode_i64(-1), encode_i64(0));
  EXPECT_LT(encode_i64(0), encode_i64(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(decode_i64(encode_i64(-77)), -77);
  EXPECT_LT(outbox_key(255), outbox_key(256));
  EXPECT_EQ(parse_outbox_key(outbox_key(1ULL << 40)), 1ULL << 40);
  EXPECT_FALSE(decode_i64("short").has_value());
}

}  // namespace
}  // namespace segd::io
