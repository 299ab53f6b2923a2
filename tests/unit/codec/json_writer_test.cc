#include "io/codec/json_writer.h"

#include <gtest/gtest.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace segd::io {
namespace {

std::string number_text(double value) {
  JsonWriter w;
  w.number(value);
  return w.take();
}

std::string string_text(std::string_view value) {
  JsonWriter w;
  w.string(value);
  return w.take();
}

TEST(JsonWriterTest, WritesNestedStructureWithCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.number(int64_t{1});
  w.key("b");
  w.begin_array();
  w.boolean(true);
  w.boolean(false);
  w.null();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.end_array();
  w.key("c");
  w.string("x");
  w.end_object();
  EXPECT_EQ(w.view(), R"({"a":1,"b":[true,false,null,{},[]],"c":"x"})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(string_text("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(string_text("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(string_text(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(string_text("\x7f"), "\"\x7f\"");
}

TEST(JsonWriterTest, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(string_text("Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(string_text("a\xFF"
                        "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(string_text("\xC3"), "\"\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, EscapesKeysLikeStrings) {
  JsonWriter w;
  w.begin_object();
  w.key("k\"\n");
  w.null();
  w.end_object();
  EXPECT_EQ(w.view(), R"({"k\"\n":null})");
}

// A key in the code ("name"_key) is written as it is, as the same key given as text would be; a
// name that needs escaping does not compile (`operator""_key` throws in a constant expression).
TEST(JsonWriterTest, KeysInTheCodeWriteAsKeysGivenAsText) {
  JsonWriter in_code;
  JsonWriter as_text;
  in_code.begin_object();
  as_text.begin_object();
  in_code.key("event_id"_key);
  as_text.key("event_id");
  in_code.string("e1");
  as_text.string("e1");
  in_code.key("values"_key);
  as_text.key("values");
  in_code.begin_object();
  as_text.begin_object();
  in_code.key(""_key);
  as_text.key("");
  in_code.null();
  as_text.null();
  in_code.end_object();
  as_text.end_object();
  in_code.end_object();
  as_text.end_object();
  EXPECT_EQ(in_code.view(), R"({"event_id":"e1","values":{"":null}})");
  EXPECT_EQ(in_code.view(), as_text.view());
  static_assert(("a_b-C 9~"_key).name() == "a_b-C 9~");
}

TEST(JsonWriterTest, IntegralDoublesPrintWithoutFraction) {
  EXPECT_EQ(number_text(840.0), "840");
  EXPECT_EQ(number_text(-3.0), "-3");
  EXPECT_EQ(number_text(0.0), "0");
  EXPECT_EQ(number_text(-0.0), "0");
}

// Whole numbers below 100000 take a shortcut through the integer conversion: it must give
// std::to_chars' shortest form exactly, on both sides of where that form turns to an exponent.
TEST(JsonWriterTest, WholeNumbersPrintAsTheShortestFormDoes) {
  const auto shortest = [](double v) {
    std::array<char, 32> buf{};
    const auto result = std::to_chars(buf.begin(), buf.end(), v);
    return std::string(buf.begin(), result.ptr);
  };
  for (int i = -200000; i <= 200000; ++i) {
    if (i == 0) {
      continue;  // Both zeros print as `0` (above).
    }
    const auto v = static_cast<double>(i);
    ASSERT_EQ(number_text(v), shortest(v)) << i;
  }
  EXPECT_EQ(number_text(100000.0), "1e+05");
  EXPECT_EQ(number_text(99999.0), "99999");
  EXPECT_EQ(number_text(-20000.0), "-20000");
  EXPECT_EQ(number_text(99999.5), "99999.5");
  EXPECT_EQ(number_text(-0.5), "-0.5");
}

TEST(JsonWriterTest, DoublesUseShortestRoundTripForm) {
  EXPECT_EQ(number_text(0.1), "0.1");
  EXPECT_EQ(number_text(119.8), "119.8");
  EXPECT_EQ(number_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number_text(1e21), "1e+21");
  EXPECT_EQ(number_text(1.5e-7), "1.5e-07");
  for (const double v : {59.9, 1.0 / 3.0, 6.02214076e23, 5e-324, 1.7976931348623157e308}) {
    const std::string text = number_text(v);
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(back, v) << text;
  }
}

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  EXPECT_EQ(number_text(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number_text(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number_text(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriterTest, WritesInt64Extremes) {
  JsonWriter w;
  w.begin_array();
  w.number(std::numeric_limits<int64_t>::min());
  w.number(std::numeric_limits<int64_t>::max());
  w.end_array();
  EXPECT_EQ(w.view(), "[-9223372036854775808,9223372036854775807]");
}

TEST(JsonWriterTest, AppendsToGivenBufferAndTakeResets) {
  JsonWriter w(std::string("prefix "));
  w.number(int64_t{7});
  EXPECT_EQ(w.take(), "prefix 7");
  EXPECT_TRUE(w.view().empty());
  w.string("again");
  EXPECT_EQ(w.take(), "\"again\"");
}

TEST(JsonWriterTest, KeepsWhatItWroteWhenItsBufferGrows) {
  // Keys and strings, plain and escaped, well past the first allocation (an earlier version lost
  // the text written before a plain string made the buffer grow; one that trusted the size
  // libstdc++ 12's resize_and_overwrite passes wrote past the text when it grew the buffer).
  JsonWriter w;
  std::string expected = "{";
  w.begin_object();
  for (int i = 0; i < 300; ++i) {
    const std::string key = "key_" + std::to_string(i);
    const std::string value = i % 3 == 0 ? "a \"quoted\" value" : "value " + std::to_string(i);
    w.key(key);
    w.string(value);
    expected += (i == 0 ? "\"" : ",\"") + key + "\":";
    expected += i % 3 == 0 ? R"("a \"quoted\" value")" : "\"" + value + "\"";
  }
  w.end_object();
  EXPECT_EQ(w.view(), expected + "}");
}

}  // namespace
}  // namespace segd::io
