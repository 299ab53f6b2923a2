// The transport-free parts of the admin API: routing, decoding, authorization, JSON.
#include "io/admin/admin_routes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/events/text.h"
#include "support/mutator.h"

namespace segd::test {
namespace {

using io::AdminRoute;
using io::AuthOutcome;

TEST(AdminRoutesTest, MatchesRoutesAndIgnoresTheQuery) {
  EXPECT_EQ(io::match_route("/metrics?name[]=x").route, AdminRoute::kMetrics);
  EXPECT_EQ(io::match_route("/v1/segments").route, AdminRoute::kSegments);
  EXPECT_EQ(io::match_route("/v1/customers/a%2Fb?x=1"),
            (io::RouteMatch{AdminRoute::kCustomer, "a%2Fb"}));
  EXPECT_EQ(io::match_route("/v1/customers/a/b").route, AdminRoute::kNotFound);
  // Absolute-form targets (RFC 9112 3.2.2: a server must accept them); an empty id is the
  // customer route, whose id check answers 400 bad_customer_id.
  EXPECT_EQ(io::match_route("http://host/metrics").route, AdminRoute::kMetrics);
  EXPECT_EQ(io::match_route("HTTP://host:9464/v1/customers/c1?x=/"),
            (io::RouteMatch{AdminRoute::kCustomer, "c1"}));
  EXPECT_EQ(io::match_route("http://host").route, AdminRoute::kNotFound);
  EXPECT_EQ(io::match_route("/v1/customers/"), (io::RouteMatch{AdminRoute::kCustomer, ""}));
}

TEST(AdminRoutesTest, PercentDecoding) {
  EXPECT_EQ(io::percent_decode("a%20b+c%2f"), "a b+c/");
  EXPECT_EQ(io::percent_decode("%"),
            std::unexpected(core::Error{"bad_percent_encoding", "truncated escape at byte 0"}));
  EXPECT_FALSE(io::percent_decode("ab%2"));
  EXPECT_FALSE(io::percent_decode("%g0"));
  EXPECT_EQ(io::decode_customer_id("%00").error().code, "bad_customer_id");
  EXPECT_EQ(io::decode_customer_id(std::string(128, 'x')), std::string(128, 'x'));
  EXPECT_EQ(io::decode_customer_id(std::string(129, 'x')).error().code, "bad_customer_id");
}

// Ids are UTF-8, as event validation requires: no customer has another, and an erasure event
// written for one (kafka.erasure_topic) would be answered 202 and then dead-lettered.
TEST(AdminRoutesTest, ACustomerIdThatIsNotUtf8IsRefused) {
  EXPECT_EQ(io::decode_customer_id("caf%C3%A9"), "caf\xC3\xA9");
  for (const char* raw : {"%C3%28", "%FF", "a%E2%82", "%ED%A0%80", "%C0%AF"}) {
    const auto id = io::decode_customer_id(raw);
    ASSERT_FALSE(id.has_value()) << raw;
    EXPECT_EQ(id.error(), (core::Error{"bad_customer_id", "customer id is not valid UTF-8"}))
        << raw;
  }
}

// As event validation: the C1 controls too (an erasure of "x\u0085y" was answered 202 and its
// erasure event dead-lettered).
TEST(AdminRoutesTest, ACustomerIdWithAControlCharacterIsRefused) {
  for (const auto& [raw, code] : {std::pair{"a%0Ab", "U+000A"}, std::pair{"a%7F", "U+007F"},
                                  std::pair{"x%C2%85y", "U+0085"}}) {
    const auto id = io::decode_customer_id(raw);
    ASSERT_FALSE(id.has_value()) << raw;
    EXPECT_EQ(id.error(),
              (core::Error{"bad_customer_id",
                           std::string("customer id contains the control character ") + code}))
        << raw;
  }
  EXPECT_EQ(io::decode_customer_id("x%C2%A0y"), "x\xC2\xA0y") << "NBSP is no control";
}

TEST(AdminRoutesTest, BearerTokenCheck) {
  EXPECT_EQ(io::check_bearer("Bearer abc", ""), AuthOutcome::kDisabled);
  EXPECT_EQ(io::check_bearer("", "abc"), AuthOutcome::kMissing);
  EXPECT_EQ(io::check_bearer("Basic abc", "abc"), AuthOutcome::kMissing);
  EXPECT_EQ(io::check_bearer("Bearer abc", "abc"), AuthOutcome::kAllowed);
  EXPECT_EQ(io::check_bearer("Bearer ab", "abc"), AuthOutcome::kWrong);
  EXPECT_EQ(io::check_bearer("Bearer abcd", "abc"), AuthOutcome::kWrong);
  EXPECT_EQ(io::check_bearer("Bearer abd", "abc"), AuthOutcome::kWrong);
}

// RFC 9110 11.1: the scheme is case-insensitive, and one or more spaces follow it.
TEST(AdminRoutesTest, TheBearerSchemeIsCaseInsensitive) {
  for (const char* given : {"bearer abc", "BEARER abc", "bEaReR abc", "Bearer   abc"}) {
    EXPECT_EQ(io::check_bearer(given, "abc"), AuthOutcome::kAllowed) << given;
  }
  EXPECT_EQ(io::check_bearer("Bearerabc", "abc"), AuthOutcome::kMissing);
  EXPECT_EQ(io::check_bearer("Bearer", "abc"), AuthOutcome::kMissing);
  EXPECT_EQ(io::check_bearer("bearer abd", "abc"), AuthOutcome::kWrong);
}

TEST(AdminRoutesTest, JsonBodies) {
  EXPECT_EQ(io::error_json("x", "say \"hi\""), R"({"error":"x","message":"say \"hi\""})");
  EXPECT_EQ(io::segments_json({}), "[]");
  EXPECT_EQ(io::erasure_json("c\n1", io::ErasureResult{.existed = true, .exited_segments = {"a"}}),
            R"({"customer_id":"c\n1","existed":true,"exited_segments":["a"]})");
}

// Mangled request targets: routing and id decoding never fail on them, and an accepted id is
// what its escapes say, within the limits.
TEST(AdminRoutesTest, MangledTargetsRouteOrAreRejected) {
  const std::vector<std::string> seeds = {"/v1/customers/c%2F42%20x?verbose=1", "/metrics",
                                          "/v1/segments", "/v1/customers/%E2%82%AC-1",
                                          "/v1/rules/reload"};
  testing::Mutator mutator(8);
  int decoded = 0;
  for (int i = 0; i < 20000 && !HasFailure(); ++i) {
    const std::string target = mutator.next(seeds);
    const io::RouteMatch match = io::match_route(target);
    if (match.route != AdminRoute::kCustomer) {
      EXPECT_TRUE(match.raw_id.empty()) << testing::hex(target);
      continue;
    }
    const core::Result<std::string> id = io::decode_customer_id(match.raw_id);
    if (!id) {
      EXPECT_TRUE(id.error().code == "bad_percent_encoding" || id.error().code == "bad_customer_id")
          << id.error().code;
      continue;
    }
    ++decoded;
    EXPECT_FALSE(id->empty());
    EXPECT_LE(id->size(), io::kMaxCustomerIdBytes);
    for (const char c : *id) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << testing::hex(*id);
    }
    EXPECT_TRUE(core::is_valid_utf8(*id)) << testing::hex(*id);
    // Escaping every byte and decoding again gives the same id.
    std::string escaped;
    for (const char c : *id) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(c);
      escaped += {'%', kHex[b >> 4], kHex[b & 15]};
    }
    EXPECT_EQ(io::decode_customer_id(escaped), *id);
  }
  EXPECT_GT(decoded, 500);
}

}  // namespace
}  // namespace segd::test
