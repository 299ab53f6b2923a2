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
  size_t n = r.key.value_or("").size() + r.payload.value_or("").size();
  for (const auto& [name, value] : r.headers) {
    n += name.size() + value.size();
  }
  return n;
}

TEST(DeadLetterRecordTest, AnOrdinaryDeadLetterIsKeptWhole) {
  const DeadLetterRecord r =
      fit_dead_letter(headers("unknown event type 'x'"), "c1", "{...}", 1'000'000);
  EXPECT_EQ(r.headers, headers("unknown event type 'x'"));
  EXPECT_EQ(r.key, "c1");
  EXPECT_EQ(r.payload, "{...}");
}

TEST(DeadLetterRecordTest, ALongMessageIsCutAndThePayloadWhenTheRestIsTooLong) {
  const std::string payload(5000, 'p');
  const DeadLetterRecord r =
      fit_dead_letter(headers(std::string(30'000, 'm')), "c1", payload, 20'000);
  ASSERT_EQ(r.headers.size(), 5u);
  EXPECT_EQ(r.headers[1].second, std::string(kDeadLetterMessageBytes, 'm'));
  EXPECT_EQ(r.payload, payload) << "the payload fits once the message is cut";

  const DeadLetterRecord small =
      fit_dead_letter(headers("m"), "c1", std::string(30'000, 'p'), 20'000);
  ASSERT_EQ(small.headers.size(), 6u);
  EXPECT_EQ(small.headers.back(),
            (std::pair<std::string, std::string>{"payload_truncated_from", "30000"}));
  EXPECT_LE(text_bytes(small) + kDeadLetterOverhead, 20'000u);
  EXPECT_GT(small.payload.value_or("").size(), 19'000u);
  EXPECT_EQ(small.key, "c1");
}

// librdkafka's smallest message.max.bytes is 1000: the short headers stay whole, the message
// takes what is left, and the payload goes (only its size remains).
TEST(DeadLetterRecordTest, AtTheSmallestLimitTheShortHeadersComeFirst) {
  const DeadLetterRecord r =
      fit_dead_letter(headers(std::string(5000, 'm')), "c1", "payload", 1000);
  EXPECT_LE(text_bytes(r) + kDeadLetterOverhead, 1000u);
  ASSERT_EQ(r.headers.size(), 6u);
  EXPECT_EQ(r.headers[0].second, "unknown_type");
  EXPECT_EQ(r.headers[2].second, "clicks");
  EXPECT_EQ(r.headers[4].second, "42");
  EXPECT_FALSE(r.headers[1].second.empty());
  EXPECT_EQ(r.headers[5].first, "payload_truncated_from");
  EXPECT_EQ(r.key, "c1") << "the key goes before the message";
  EXPECT_EQ(r.payload, "");
}

TEST(DeadLetterRecordTest, BelowTheOverheadOnlyThePayloadSizeIsLeft) {
  const DeadLetterRecord r = fit_dead_letter(headers("m"), "c1", "payload", 100);
  EXPECT_EQ(r.headers, (Headers{{"key_truncated_from", "2"}, {"payload_truncated_from", "7"}}));
  EXPECT_EQ(r.key, "");
  EXPECT_EQ(r.payload, "");
}

TEST(DeadLetterRecordTest, AMessageIsCutWhereAUtf8SequenceStarts) {
  std::string message = "x";
  for (int i = 0; i < 1000; ++i) {
    message += "\xC3\xA9";  // é
  }
  const DeadLetterRecord r = fit_dead_letter(headers(message), "c1", "{}", 1'000'000);
  ASSERT_EQ(r.headers.size(), 5u);
  EXPECT_EQ(r.headers[1].second, message.substr(0, kDeadLetterMessageBytes - 1));
}

// A dead letter is the original record: its key (the customer, for a partitioner that hashed
// it), and a null key or a null value (a tombstone) stay null rather than becoming empty.
TEST(DeadLetterRecordTest, NullKeysAndValuesStayNullAndEmptyOnesEmpty) {
  const DeadLetterRecord tombstone = fit_dead_letter(headers("m"), "c1", std::nullopt, 1'000'000);
  EXPECT_EQ(tombstone.key, "c1");
  EXPECT_EQ(tombstone.payload, std::nullopt);
  EXPECT_EQ(tombstone.headers, headers("m"));

  const DeadLetterRecord unkeyed = fit_dead_letter(headers("m"), std::nullopt, "", 1'000'000);
  EXPECT_EQ(unkeyed.key, std::nullopt);
  EXPECT_EQ(unkeyed.payload, "");
}

TEST(DeadLetterRecordTest, AKeyTooLongForTheRoomIsCutAndItsSizeKept) {
  const std::string key(30'000, 'k');
  const DeadLetterRecord r = fit_dead_letter(headers("m"), key, "payload", 20'000);
  EXPECT_LE(text_bytes(r) + kDeadLetterOverhead, 20'000u);
  ASSERT_GE(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[r.headers.size() - 2],
            (std::pair<std::string, std::string>{"key_truncated_from", "30000"}));
  EXPECT_EQ(r.headers.back(), (std::pair<std::string, std::string>{"payload_truncated_from", "7"}));
  EXPECT_GT(r.key.value_or("").size(), 19'000u);
  EXPECT_EQ(r.key, key.substr(0, r.key.value_or("").size())) << "the key's beginning";
}

}  // namespace
}  // namespace segd::io
