// Robustness of the two input decoders against mangled payloads: every mutant is either rejected
// with one of the documented reasons or accepted as an event that survives a round trip through
// both encoders; and the JSON decoder reads every mutant alike with its plain scan and with
// rapidjson alone. Under scripts/sanitize.sh the same runs are checked for memory errors and
// undefined behaviour.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "io/codec/json_event_codec.h"
#include "io/codec/json_event_reader.h"
#include "io/codec/json_plain_scan.h"
#include "io/codec/proto_event_codec.h"
#include "support/mutator.h"

namespace segd::io {
namespace {

constexpr int kMutants = 100000;

// Valid events of every type, with and without the optional fields, escapes and UTF-8.
const std::vector<std::string>& json_seeds() {
  static const std::vector<std::string> seeds = {
      R"({"event_id":"e-1","type":"product_view","customer_id":"c42","ts":"2026-03-01T10:00:00Z",)"
      R"("session_id":"s9","product_id":"p7","category":"shoes","price":59.9})",
      R"({"event_id":"e-2","type":"purchase","customer_id":"c42","ts":1772359200000,)"
      R"("order_id":"o-17","amount":119.8,"currency":"EUR","items":[{"product_id":"p7",)"
      R"("category":"shoes","quantity":2,"price":59.9},{"product_id":"p8","price":0.5}]})",
      R"({"type":"page_view","customer_id":"c\u00e9\"1","ts":"2026-03-01T10:00:00.125+02:00"})",
      R"({"type":"search","customer_id":"c1","ts":1772359200001,"session_id":"s 1","query":"red\tshoes"})",
      R"({"type":"add_to_cart","customer_id":"c1","ts":1772359200000,"product_id":"p","quantity":3,)"
      R"("price":5,"category":"k\u00fcche"})",
      R"({"type":"remove_from_cart","customer_id":"c1","ts":1772359200000,"product_id":"p"})",
      R"({"event_id":"e-9","type":"refund","customer_id":"c1","ts":1772359200000,"order_id":"o-1",)"
      R"("amount":10.25,"extra":{"nested":[1,2,{"x":null}]}})",
      R"({"type":"purchase","customer_id":"c2","ts":"2026-12-31T23:59:59Z","order_id":"o",)"
      R"("items":[{"product_id":"a","quantity":1,"price":1e2}]})",
      R"({"event_id":"erasure-1772359200000","type":"erasure","customer_id":"c42",)"
      R"("ts":"2026-03-01T10:00:00.000Z"})",
  };
  return seeds;
}

bool is_documented_reason(std::string_view code) {
  static constexpr std::array<std::string_view, 6> kExact = {
      "too_large", "bad_json", "bad_protobuf", "unknown_type", "bad_timestamp", "negative_amount"};
  for (const std::string_view exact : kExact) {
    if (code == exact) {
      return true;
    }
  }
  for (const std::string_view prefix : {"bad_field:", "missing_field:"}) {
    if (code.size() > prefix.size() && code.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

// An accepted event must come back unchanged through both encodings.
void expect_round_trips(const core::Event& event, const std::string& mutant) {
  const auto via_json = decode_json_event(encode_json_event(event));
  ASSERT_TRUE(via_json.has_value())
      << via_json.error().message << "\nmutant: " << testing::hex(mutant);
  EXPECT_EQ(*via_json, event) << "mutant: " << testing::hex(mutant);
  const auto via_proto = decode_proto_event(encode_proto_event(event));
  if (event.ts.value() == 0) {  // Protobuf cannot carry ts 0 (FORMATS.md): unset is missing.
    ASSERT_FALSE(via_proto.has_value());
    EXPECT_EQ(via_proto.error().code, "missing_field:ts");
    return;
  }
  ASSERT_TRUE(via_proto.has_value())
      << via_proto.error().message << "\nmutant: " << testing::hex(mutant);
  EXPECT_EQ(*via_proto, event) << "mutant: " << testing::hex(mutant);
}

struct Tally {
  int accepted = 0;
  int rejected = 0;
};

template <typename Decode>
Tally run_mutants(const std::vector<std::string>& seeds, uint64_t seed, Decode decode) {
  testing::Mutator mutator(seed);
  Tally tally;
  for (int i = 0; i < kMutants; ++i) {
    const std::string mutant = mutator.next(seeds);
    const core::Result<core::Event> r = decode(mutant);
    if (r) {
      ++tally.accepted;
      expect_round_trips(*r, mutant);
    } else {
      ++tally.rejected;
      EXPECT_TRUE(is_documented_reason(r.error().code))
          << "reason '" << r.error().code << "' for mutant: " << testing::hex(mutant);
      EXPECT_FALSE(r.error().message.empty()) << "mutant: " << testing::hex(mutant);
    }
    if (::testing::Test::HasFailure()) {
      break;  // The first failing mutant is the useful one.
    }
  }
  return tally;
}

TEST(DecoderMutationTest, JsonMutantsAreRejectedWithAReasonOrRoundTrip) {
  for (const std::string& seed : json_seeds()) {
    ASSERT_TRUE(decode_json_event(seed).has_value()) << seed;
  }
  const Tally tally = run_mutants(
      json_seeds(), 1, [](const std::string& payload) { return decode_json_event(payload); });
  // Both outcomes are exercised: the mutations are neither all fatal nor all harmless.
  EXPECT_GT(tally.accepted, kMutants / 50);
  EXPECT_GT(tally.rejected, kMutants / 2);
}

// What read_json_event_fields() made of a payload: the error, or the fields beside the event's
// own; and the event.
struct Decoded {
  std::string outcome;
  core::Event event;
  bool operator==(const Decoded&) const = default;
};

Decoded decode_with(std::string_view payload, JsonParsers parsers) {
  std::string text(payload.size() + kJsonTextPadding, '\0');
  Decoded out;
  const auto fields =
      read_json_event_fields(payload, text.data(), DecodeLimits{}, out.event, parsers);
  if (!fields) {
    out.outcome = "error " + fields.error().code + ": " + fields.error().message;
    return out;
  }
  out.outcome = "type " + std::string(fields->type.value_or("(none)")) + " amount " +
                std::to_string(static_cast<int>(fields->amount));
  if (fields->ts) {
    out.outcome += " ts " + std::to_string(static_cast<int>(fields->ts->kind)) + " " +
                   std::string(fields->ts->text);
  }
  return out;
}

void expect_both_parsers_alike(std::string_view payload) {
  const Decoded plain = decode_with(payload, JsonParsers::kPlainScanFirst);
  const Decoded rapidjson = decode_with(payload, JsonParsers::kRapidjsonOnly);
  EXPECT_TRUE(plain == rapidjson) << "plain scan first: " << plain.outcome << " "
                                  << encode_json_event(plain.event)
                                  << "\nrapidjson alone: " << rapidjson.outcome << " "
                                  << encode_json_event(rapidjson.event)
                                  << "\npayload: " << testing::hex(payload);
}

// Trivially accepting: whether the plain scan reads a text at all.
struct AcceptAll {
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool RawNumber(const char*, uint32_t, bool) { return true; }
  bool String(const char*, uint32_t, bool) { return true; }
  bool Key(const char*, uint32_t, bool) { return true; }
  bool StartObject() { return true; }
  bool EndObject(uint32_t) { return true; }
  bool StartArray() { return true; }
  bool EndArray(uint32_t) { return true; }
};

TEST(DecoderMutationTest, JsonMutantsReadAlikeByThePlainScanAndByRapidjsonAlone) {
  std::vector<std::string> seeds = json_seeds();
  // Beside the seeds above: spaces and newlines between tokens, fields of the wrong JSON type,
  // and numbers that rapidjson 1.1.0 refuses unless masked (its second pass).
  seeds.emplace_back(
      "{ \"type\" : \"refund\", \"customer_id\" : \"c1\", \"ts\" : 1772359200000,\n"
      "  \"order_id\" : \"o-1\", \"amount\" : 10.25, \"x\" : [ true, false, null, { } ] }");
  seeds.emplace_back(
      R"({"type":"purchase","customer_id":"c2","ts":"2026-12-31T23:59:59Z","order_id":"o",)"
      R"("amount":null,"items":[{"product_id":"a","quantity":1,"price":1e2}],"price":"9"})");
  seeds.emplace_back(
      R"({"type":"add_to_cart","customer_id":"c1","ts":1,"quantity":0e400,"price":1e999})");
  for (const std::string& seed : seeds) {
    expect_both_parsers_alike(seed);
  }
  // At the reader's depth limit and past it (too deep, whichever parser reads it).
  for (const int depth : {63, 64, 65}) {
    expect_both_parsers_alike(R"({"type":"page_view","x":)" +
                              std::string(static_cast<size_t>(depth), '[') +
                              std::string(static_cast<size_t>(depth), ']') + "}");
  }
  testing::Mutator mutator(3);
  int plain = 0;
  for (int i = 0; i < kMutants && !HasFailure(); ++i) {
    const std::string mutant = mutator.next(seeds);
    AcceptAll any;
    plain += scan_plain_json(mutant, any) == PlainScan::kDone ? 1 : 0;
    expect_both_parsers_alike(mutant);
  }
  // Both paths are exercised: many mutants are plain JSON, more are not.
  EXPECT_GT(plain, kMutants / 20);
  EXPECT_LT(plain, kMutants / 2);
}

TEST(DecoderMutationTest, ProtobufMutantsAreRejectedWithAReasonOrRoundTrip) {
  std::vector<std::string> seeds;
  for (const std::string& json : json_seeds()) {
    const auto event = decode_json_event(json);
    ASSERT_TRUE(event.has_value()) << json;
    seeds.push_back(encode_proto_event(*event));
  }
  const Tally tally =
      run_mutants(seeds, 2, [](const std::string& payload) { return decode_proto_event(payload); });
  EXPECT_GT(tally.accepted, kMutants / 50);
  EXPECT_GT(tally.rejected, kMutants / 10);
}

}  // namespace
}  // namespace segd::io
