// Robustness of the state decoders against damaged stored values: every mutant is `corrupt_state`
// or a state that encodes back to bytes decoding to itself; and the hand-written scalar decoder
// (wire_format.h, used by model refits) agrees with the generated parser on every mutant the
// parser accepts. Under scripts/sanitize.sh the same runs are checked for memory errors and
// undefined behaviour.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/state/state_codec.h"
#include "state_fixtures.h"
#include "support/mutator.h"

namespace segd::io {
namespace {

constexpr int kMutants = 100000;

TEST(StateDecodeMutationTest, CustomerMutantsAreCorruptOrConsistent) {
  core::CustomerState refunded = testing::typical_state("c9", 11);
  refunded.refunds_total = 2;
  refunded.refund_amount_total = 12.5;
  // Two kinds seen, two not: their decayed rows are left out (6 values instead of 12).
  core::CustomerState partial = testing::typical_state("c5", 3);
  partial.counts = {4, 0, 9, 0};
  partial.decayed[1] = {};
  partial.decayed[3] = {};
  const std::vector<std::string> seeds = {
      encode_customer(testing::typical_state("c42", 7)), encode_customer(refunded),
      encode_customer(core::CustomerState{}), encode_customer(partial)};
  segd::testing::Mutator mutator(3);
  int accepted = 0;
  for (int i = 0; i < kMutants && !HasFailure(); ++i) {
    const std::string mutant = mutator.next(seeds);
    const core::Result<core::CustomerState> full = decode_customer(mutant);
    const core::Result<core::CustomerState> scalars = decode_customer_scalars(mutant);
    if (!scalars) {
      EXPECT_EQ(scalars.error().code, "corrupt_state");
    }
    if (!full) {
      EXPECT_EQ(full.error().code, "corrupt_state");
      continue;
    }
    ++accepted;
    ASSERT_TRUE(scalars.has_value())
        << scalars.error().message << "\nmutant: " << segd::testing::hex(mutant);
    // Compared as encodings: a mutated double may be NaN, which operator== never matches.
    const std::string encoded = encode_customer(*full);
    EXPECT_EQ(encode_customer(*scalars), encode_customer(testing::without_lists(*full)))
        << "mutant: " << segd::testing::hex(mutant);
    const core::Result<core::CustomerState> again = decode_customer(encoded);
    ASSERT_TRUE(again.has_value())
        << again.error().message << "\nmutant: " << segd::testing::hex(mutant);
    EXPECT_EQ(encode_customer(*again), encoded) << "mutant: " << segd::testing::hex(mutant);
  }
  EXPECT_GT(accepted, kMutants / 50);
}

TEST(StateDecodeMutationTest, ChangeMutantsAreCorruptOrRoundTrip) {
  const std::vector<std::string> seeds = {encode_change(testing::make_change("c1", 4)),
                                          encode_change(testing::make_change("c77", 9)),
                                          encode_change(core::SegmentChange{})};
  segd::testing::Mutator mutator(4);
  int accepted = 0;
  for (int i = 0; i < kMutants && !HasFailure(); ++i) {
    const std::string mutant = mutator.next(seeds);
    const core::Result<core::SegmentChange> change = decode_change(mutant);
    if (!change) {
      EXPECT_EQ(change.error().code, "corrupt_state");
      continue;
    }
    ++accepted;
    const std::string encoded = encode_change(*change);
    const core::Result<core::SegmentChange> again = decode_change(encoded);
    ASSERT_TRUE(again.has_value())
        << again.error().message << "\nmutant: " << segd::testing::hex(mutant);
    // NaN-proof, as above.
    EXPECT_EQ(encode_change(*again), encoded) << "mutant: " << segd::testing::hex(mutant);
  }
  EXPECT_GT(accepted, kMutants / 50);
}

}  // namespace
}  // namespace segd::io
