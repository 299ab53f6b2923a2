#include "io/state/state_codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>

#include "io/state/state_keys.h"
#include "segd/v1/state.pb.h"
#include "state_fixtures.h"

namespace segd::io {
namespace {

using testing::make_change;
using testing::typical_state;

core::CustomerState maximal_state() {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  core::CustomerState s = typical_state(std::string(256, 'c'), kMax);
  s.first_event_ms = kMin;
  s.last_event_ms = kMax;
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

core::CustomerState without_lists(core::CustomerState s) {
  s.days.clear();
  s.sessions.clear();
  s.categories.clear();
  s.cart.clear();
  s.recent_event_ids.clear();
  s.recent_order_ids.clear();
  s.segments.clear();
  return s;
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
        short_decayed.SerializeAsString()}) {
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

TEST(StateCodecTest, DecayedMatrixIsRowMajor) {
  core::CustomerState s;
  s.decayed[1][2] = 42.0;
  v1::CustomerState m;
  ASSERT_TRUE(m.ParseFromString(encode_customer(s)));
  ASSERT_EQ(m.decayed_size(), 12);
  EXPECT_EQ(m.decayed(1 * 3 + 2), 42.0);
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
