// The plain JSON scan (json_plain_scan.h): what it reads and what it gives up on. That the decoder
// reads every payload alike with it and with rapidjson alone is decoder_mutation_test.cc's.

#include "io/codec/json_plain_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/mutator.h"

namespace segd::io {
namespace {

// The handler's calls, written out: `{ k:a #1 }1` for {"a":1}.
struct Trace {
  std::string calls;
  int stop_after = -1;  // Refuse the call after this many, when not negative.

  bool add(std::string call) {
    if (stop_after == 0) {
      return false;
    }
    --stop_after;
    calls += calls.empty() ? call : " " + call;
    return true;
  }
  bool Null() { return add("null"); }
  bool Bool(bool b) { return add(b ? "true" : "false"); }
  bool RawNumber(const char* s, uint32_t n, bool) { return add("#" + std::string(s, n)); }
  bool String(const char* s, uint32_t n, bool) { return add("s:" + std::string(s, n)); }
  bool Key(const char* s, uint32_t n, bool) { return add("k:" + std::string(s, n)); }
  bool StartObject() { return add("{"); }
  bool EndObject(uint32_t members) { return add("}" + std::to_string(members)); }
  bool StartArray() { return add("["); }
  bool EndArray(uint32_t elements) { return add("]" + std::to_string(elements)); }
};

// The text in a heap block of exactly its size, so that AddressSanitizer sees a read past it.
struct ExactCopy {
  explicit ExactCopy(std::string_view text)
      : bytes(std::make_unique<char[]>(text.size())), size(text.size()) {
    std::copy(text.begin(), text.end(), bytes.get());
  }
  [[nodiscard]] std::string_view view() const { return {bytes.get(), size}; }

  std::unique_ptr<char[]> bytes;
  size_t size;
};

PlainScan scan(std::string_view text, Trace& trace) {
  const ExactCopy copy(text);
  return scan_plain_json(copy.view(), trace);
}

std::string trace_of(std::string_view text) {
  Trace trace;
  EXPECT_EQ(scan(text, trace), PlainScan::kDone) << text;
  return trace.calls;
}

TEST(JsonPlainScanTest, ReadsPlainTextsAsRapidjsonsHandlerSeesThem) {
  EXPECT_EQ(trace_of(R"({"a":1,"b":"x y","c":[true,false,null,-0.5e+3],"d":{}})"),
            "{ k:a #1 k:b s:x y k:c [ true false null #-0.5e+3 ]4 k:d { }0 }4");
  EXPECT_EQ(trace_of(" \t\r\n[ [ ] , { \"k\" : \"\" } ]\n"), "[ [ ]0 { k:k s: }1 ]2");
  EXPECT_EQ(trace_of(R"("top")"), "s:top");
  EXPECT_EQ(trace_of("0"), "#0");
  // Bytes from 0x80 on are the handler's to judge, as rapidjson passes them on unvalidated.
  EXPECT_EQ(trace_of("{\"caf\xc3\xa9\":\"\xff\"}"), "{ k:caf\xc3\xa9 s:\xff }1");
  // A string long enough for whole 16-byte blocks, ending at each offset of the last one.
  for (size_t n = 30; n <= 50; ++n) {
    const std::string s(n, 'x');
    EXPECT_EQ(trace_of("[\"" + s + "\"]"), "[ s:" + s + " ]1");
  }
}

TEST(JsonPlainScanTest, GivesUpOnEscapesControlBytesAndEverySyntaxError) {
  const std::vector<std::string_view> texts = {
      "",
      " ",
      R"({"a\"b":1})",
      R"({"a":"\n"})",
      "{\"a\":\"\x1f\"}",
      "{\"a\x1a\":1}",
      "{",
      "}",
      "{]",
      "[}",
      R"({"a"})",
      R"({"a":})",
      R"({"a"1})",
      R"({,"a":1})",
      R"({"a":1,})",
      "[1,]",
      "[,1]",
      "[1 2]",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "1e+",
      "+1",
      "0x10",
      "tru",
      "nul",
      "falsey",
      "True",
      "{} {}",
      "{}x",
      "\"abc",
      R"({"a":1)",
      "[1",
      "{a:1}",
      "{'a':1}",
      "[1]\x0b",
      "\xef\xbb\xbf{}",
      "NaN",
      "Infinity",
      "// c\n{}",
  };
  for (const std::string_view text : texts) {
    Trace trace;
    EXPECT_EQ(scan(text, trace), PlainScan::kGiveUp) << testing::hex(text);
  }
}

TEST(JsonPlainScanTest, GivesUpBeyondItsDepthAndWhenTheHandlerStops) {
  const auto nested = [](int depth) {
    return std::string(static_cast<size_t>(depth), '[') +
           std::string(static_cast<size_t>(depth), ']');
  };
  Trace deep_enough;
  EXPECT_EQ(scan(nested(kPlainScanMaxDepth), deep_enough), PlainScan::kDone);
  Trace too_deep;
  EXPECT_EQ(scan(nested(kPlainScanMaxDepth + 1), too_deep), PlainScan::kGiveUp);

  const std::string_view text = R"({"a":[1,"x"],"b":null})";
  const std::string all = trace_of(text);
  const auto calls = static_cast<int>(std::count(all.begin(), all.end(), ' ') + 1);
  for (int allowed = 0; allowed < calls; ++allowed) {
    Trace stopping{.stop_after = allowed};
    EXPECT_EQ(scan(text, stopping), PlainScan::kGiveUp) << allowed;
  }
}

}  // namespace
}  // namespace segd::io
