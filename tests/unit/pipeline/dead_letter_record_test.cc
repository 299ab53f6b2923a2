#include "io/pipeline/dead_letter_record.h"

#include <gtest/gtest.h>

namespace segd::io {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers headers(std::string message) {
  return {{"reason", "unknown_type"},
          {"message", std::move(message)},
          {"source_topic", "clicks"},
          {"source_partition", "3"},
          {"source_offset", "42"}};
}

// Header texts and payload, as the record's size counts them (before framing).
size_t text_bytes(const DeadLetterRecord& r) {
  size_t n = r.payload.size();
  for (const auto& [name, value] : r.headers) {
    n += name.size() + value.size();
  }
  return n;
}

TEST(DeadLetterRecordTest, AnOrdinaryDeadLetterIsKeptWhole) {
  const DeadLetterRecord r = fit_dead_letter(headers("unknown event type 'x'"), "{...}", 1'000'000);
  EXPECT_EQ(r.headers, headers("unknown event type 'x'"));
  EXPECT_EQ(r.payload, "{...}");
}

TEST(DeadLetterRecordTest, ALongMessageIsCutAndThePayloadWhenTheRestIsTooLong) {
  const std::string payload(5000, 'p');
  const DeadLetterRecord r = fit_dead_letter(headers(std::string(30'000, 'm')), payload, 20'000);
  ASSERT_EQ(r.headers.size(), 5u);
  EXPECT_EQ(r.headers[1].second, std::string(kDeadLetterMessageBytes, 'm'));
  EXPECT_EQ(r.payload, payload) << "the payload fits once the message is cut";

  const DeadLetterRecord small = fit_dead_letter(headers("m"), std::string(30'000, 'p'), 20'000);
  ASSERT_EQ(small.headers.size(), 6u);
  EXPECT_EQ(small.headers.back(),
            (std::pair<std::string, std::string>{"payload_truncated_from", "30000"}));
  EXPECT_LE(text_bytes(small) + kDeadLetterOverhead, 20'000u);
  EXPECT_GT(small.payload.size(), 19'000u);
}

// librdkafka's smallest message.max.bytes is 1000: the short headers stay whole, the message
// takes what is left, and the payload goes (only its size remains).
TEST(DeadLetterRecordTest, AtTheSmallestLimitTheShortHeadersComeFirst) {
  const DeadLetterRecord r = fit_dead_letter(headers(std::string(5000, 'm')), "payload", 1000);
  EXPECT_LE(text_bytes(r) + kDeadLetterOverhead, 1000u);
  ASSERT_EQ(r.headers.size(), 6u);
  EXPECT_EQ(r.headers[0].second, "unknown_type");
  EXPECT_EQ(r.headers[2].second, "clicks");
  EXPECT_EQ(r.headers[4].second, "42");
  EXPECT_FALSE(r.headers[1].second.empty());
  EXPECT_EQ(r.headers[5].first, "payload_truncated_from");
  EXPECT_TRUE(r.payload.empty());
}

TEST(DeadLetterRecordTest, BelowTheOverheadOnlyThePayloadSizeIsLeft) {
  const DeadLetterRecord r = fit_dead_letter(headers("m"), "payload", 100);
  EXPECT_EQ(r.headers, (Headers{{"payload_truncated_from", "7"}}));
  EXPECT_TRUE(r.payload.empty());
}

}  // namespace
}  // namespace segd::io
