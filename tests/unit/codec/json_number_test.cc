#include "io/codec/json_number.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace segd::io {
namespace {

TEST(JsonNumberTest, LengthFollowsTheJsonGrammar) {
  EXPECT_EQ(json_number_length("0"), 1U);
  EXPECT_EQ(json_number_length("-0,"), 2U);
  EXPECT_EQ(json_number_length("12.5e+3}"), 7U);
  EXPECT_EQ(json_number_length("1E-05]"), 5U);
  EXPECT_EQ(json_number_length("01"), 1U);  // a leading zero ends the number
  EXPECT_EQ(json_number_length("0x1"), 1U);
  for (const std::string_view not_a_number :
       {"", "-", "+1", ".5", "1.", "1.e5", "1e", "1e+", "x"}) {
    EXPECT_EQ(json_number_length(not_a_number), 0U) << not_a_number;
  }
}

TEST(JsonNumberTest, ToDoubleIsCorrectlyRoundedAndZeroBelowTheSubnormals) {
  const std::string zeros(400, '0');
  EXPECT_EQ(json_number_to_double("59.9"), 59.9);
  EXPECT_EQ(json_number_to_double("-0.5E1"), -5.0);
  EXPECT_EQ(json_number_to_double("1" + zeros + "e-400"), 1.0);
  EXPECT_EQ(json_number_to_double("1.7976931348623157e308"), 1.7976931348623157e308);
  EXPECT_EQ(json_number_to_double("5e-324"), 5e-324);
  EXPECT_EQ(json_number_to_double("0e99999999999999999999"), 0.0);
  EXPECT_EQ(json_number_to_double("1e-400"), 0.0);
  EXPECT_EQ(json_number_to_double("0." + zeros + "1e10"), 0.0);
  const auto negative_zero = json_number_to_double("-2e-99999999999999999999");
  ASSERT_TRUE(negative_zero.has_value());
  EXPECT_TRUE(*negative_zero == 0.0 && std::signbit(*negative_zero));
  for (const std::string& too_big :
       {std::string("1e309"), std::string("-1e309"), std::string("100e307"), std::string("0.5e310"),
        std::string("1.7976931348623159e308"), std::string("1e99999999999999999999"), "1" + zeros,
        "1" + zeros + "e-10"}) {
    EXPECT_EQ(json_number_to_double(too_big), std::nullopt) << too_big;
  }
}

TEST(JsonNumberTest, ToInt64TakesOnlyIntegerLiteralsInRange) {
  EXPECT_EQ(json_number_to_int64("1772359200000"), 1772359200000);
  EXPECT_EQ(json_number_to_int64("-0"), 0);
  EXPECT_EQ(json_number_to_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(json_number_to_int64("9223372036854775807"), INT64_MAX);
  for (const std::string_view not_int64 :
       {"9223372036854775808", "-9223372036854775809", "2.0", "1e3", "1E0", "0.5"}) {
    EXPECT_EQ(json_number_to_int64(not_int64), std::nullopt) << not_int64;
  }
}

TEST(JsonNumberTest, MaskKeepsStringsLengthAndAnythingThatIsNotANumber) {
  std::string text = R"({"a":-1.5e400,"b\"1":"2e5\\","c":[0,12,1e,-],"d":01})";
  mask_json_numbers(text);
  EXPECT_EQ(text, R"({"a":0       ,"b\"1":"2e5\\","c":[0,0 ,1e,-],"d":00})");
}

}  // namespace
}  // namespace segd::io
