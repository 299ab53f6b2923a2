#include "core/events/text.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace segd::core {
namespace {

TEST(Utf8Test, AcceptsAsciiAndMultiByteText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(
      is_valid_utf8("Gr\xC3\xBC\xC3\x9F"
                    "e"));                             // Grüße
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));          // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));      // 😀
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));              // never valid
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("ok\xE2\x82"));        // truncated at the end
}

TEST(Utf8Test, SequenceLengthReportsOneCharacter) {
  EXPECT_EQ(utf8_sequence_length("a"), 1U);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC tail"), 3U);
  EXPECT_EQ(utf8_sequence_length("\xFF"), 0U);
  EXPECT_EQ(utf8_sequence_length(""), 0U);
}

TEST(Utf8Test, PrefixEndsWhereASequenceStarts) {
  EXPECT_EQ(utf8_prefix("abc", 5), "abc");
  EXPECT_EQ(utf8_prefix("abc", 2), "ab");
  EXPECT_EQ(utf8_prefix("a\xC3\xA9", 2), "a") << "é (C3 A9) is not cut in two";
  EXPECT_EQ(utf8_prefix("a\xC3\xA9", 3), "a\xC3\xA9");
  EXPECT_EQ(utf8_prefix("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix("\xF0\x9F\x98\x80", 3), "");
  EXPECT_EQ(utf8_prefix("abc", 0), "");
}

TEST(ControlCharsTest, FindsC0AndDelete) {
  EXPECT_EQ(first_control_char("c42 \xC3\xBC"), std::nullopt);
  EXPECT_EQ(first_control_char("c\n42"), U'\n');
  EXPECT_EQ(first_control_char(std::string("c\0", 2)), U'\0');
  EXPECT_EQ(first_control_char("c\x7F"), U'\x7F');
}

// The C1 controls (NEL, CSI, ...) are control characters too: a customer_id with U+0085 in it
// passed as an ordinary name before.
TEST(ControlCharsTest, FindsC1ControlsButNotTheLettersBesideThem) {
  EXPECT_EQ(first_control_char("c\xC2\x85"
                               "42"),
            U'\u0085');
  EXPECT_EQ(first_control_char("\xC2\x80"), U'\u0080');
  EXPECT_EQ(first_control_char("\xC2\x9F"), U'\u009F');
  EXPECT_EQ(first_control_char("\xC2\xA0 \xC2\xA9 \xC3\x85"), std::nullopt)
      << "NBSP, the copyright sign and Å are not controls";
  EXPECT_EQ(first_control_char("\xE2\x82\xAC\xC2\x9B"), U'\u009B');
}

// A word-at-a-time (or block-at-a-time) byte test against its byte rule, wherever a byte stands:
// one odd byte at every position of texts of 1..40 bytes (every offset in an eight-byte word or a
// sixteen-byte block, the overlapping last ones, the tails), and every pair of edge bytes side by
// side (a carry out of 0xFF must not hide a neighbour).
void expect_agrees_with_byte_rule(bool (*test)(std::string_view), bool (*rule)(unsigned char)) {
  for (size_t length = 1; length <= 40; ++length) {
    for (size_t pos = 0; pos < length; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string text(length, 'a');
        text[pos] = static_cast<char>(b);
        ASSERT_EQ(test(text), rule(static_cast<unsigned char>(b)))
            << "length " << length << ", byte " << b << " at " << pos;
      }
    }
  }
  const std::array<unsigned char, 10> edges = {0x00, 0x1F, 0x20, 0x22, 0x5C,
                                               0x7E, 0x7F, 0x80, 0xC2, 0xFF};
  for (size_t pos = 0; pos + 1 < 24; ++pos) {
    for (const unsigned char first : edges) {
      for (const unsigned char second : edges) {
        std::string text(pos < 15 ? 16 : 24, 'z');
        text[pos] = static_cast<char>(first);
        text[pos + 1] = static_cast<char>(second);
        ASSERT_EQ(test(text), rule(first) && rule(second))
            << "bytes " << int{first} << ", " << int{second} << " at " << pos;
      }
    }
  }
  EXPECT_TRUE(test(""));
}

TEST(PrintableAsciiTest, AgreesWithTheByteRuleAtEveryPosition) {
  expect_agrees_with_byte_rule(is_printable_ascii,
                               [](unsigned char c) { return c >= 0x20U && c <= 0x7EU; });
  EXPECT_TRUE(is_printable_ascii("order-000123 ~ {x}"));
  EXPECT_TRUE(is_printable_ascii(R"(a "quoted\ text)"));
}

TEST(PlainJsonAsciiTest, AgreesWithTheByteRuleAtEveryPosition) {
  expect_agrees_with_byte_rule(is_plain_json_ascii, [](unsigned char c) {
    return c >= 0x20U && c <= 0x7EU && c != '"' && c != '\\';
  });
  EXPECT_TRUE(is_plain_json_ascii("orders_total >= 3 && affinity('shoes') > 0.5"));
  EXPECT_FALSE(is_plain_json_ascii(R"(a "quoted" text)"));
  EXPECT_FALSE(is_plain_json_ascii(R"(C:\dir)"));
}

}  // namespace
}  // namespace segd::core
