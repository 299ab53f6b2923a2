// segd with protobuf on both sides: an input topic of serialized segd.v1.Event messages (as
// `segctl produce --format protobuf` writes them) and SegmentChanges published as
// segd.v1.SegmentChange. The result must be the JSON replay's, and
// undecodable payloads are dead-lettered as `bad_protobuf` without a word from protobuf's own
// logger on segd's stderr.
#include <gtest/gtest.h>

#include <map>

#include "core/common/partitioner.h"
#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"
#include "io/codec/json_event_codec.h"
#include "io/codec/proto_event_codec.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

constexpr int32_t kPartitions = 4;

Message keyed(std::string key, std::optional<std::string> value) {
  const int32_t partition = core::partition_for_key(key, kPartitions).value();
  return {partition, std::move(key), std::move(value)};
}

TEST(SegdDaemonTest, ProtobufInputAndOutput) {
  constexpr int64_t kEvents = 10000;
  const TempDir dir("protobuf");
  const std::string input = dir.file("events.jsonl");
  ASSERT_TRUE(gen_events({.customers = 1000, .events = kEvents, .seed = 13}, input).has_value());
  auto reference = make_reference(input, kPartitions, dir);
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  ASSERT_GT(reference->changes.size(), 100u) << "the rules should fire on this input";

  // Bytes that are no protobuf at all, and a valid event whose session_id (field 5) is not
  // UTF-8, which proto3's parser rejects (and, left to itself, reports on stderr).
  const auto first = io::decode_json_event(split_lines(read_text(input)).front());
  ASSERT_TRUE(first.has_value());
  const std::string garbage = "\xff\xff\xff\xff";
  const std::string bad_utf8 = io::encode_proto_event(*first) + std::string("\x2a\x02\xc3\x28");

  auto broker = start_broker(1, topics_with(kPartitions));
  ASSERT_TRUE(broker.has_value());
  // The events as segctl produce --format protobuf sends them, then the two bad payloads and a
  // tombstone (a null value: an empty protobuf message: no customer_id, the first thing checked).
  auto produced = produce_file(broker->bootstrap(), "events", input, {"--format", "protobuf"});
  ASSERT_TRUE(produced.has_value()) << produced.error().message;
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "events",
                               {keyed("c-bad-1", garbage), keyed("c-bad-2", bad_utf8),
                                keyed("c-bad-3", std::nullopt)})
                  .has_value());
  const std::string state = dir.file("segd-state");
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = state,
                                   .input_topics = {"events"},
                                   .input_format = "protobuf",
                                   .output_format = "protobuf"},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(120));
  ASSERT_TRUE(summary.has_value()) << summary.error().code << ": " << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, kEvents + 3);
  EXPECT_EQ(events.processed + events.duplicates, kEvents);
  EXPECT_EQ(events.dead_lettered, (std::map<std::string, int64_t>{
                                      {"bad_protobuf", 2}, {"missing_field:customer_id", 1}}));
  EXPECT_EQ(summary->changes, static_cast<int64_t>(reference->changes.size()));

  const std::string diff = compare_with_reference(*reference, broker->bootstrap(), kPartitions,
                                                  state, dir, OutputFormat::kProtobuf);
  EXPECT_TRUE(diff.empty()) << diff;

  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", kPartitions);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  ASSERT_EQ(dlq->size(), 3u);
  std::map<std::string, const HeadedRecord*> by_key;
  for (const HeadedRecord& r : *dlq) {
    by_key[r.key.value_or("<null key>")] = &r;
    EXPECT_EQ(r.header("source_topic"), "events");
  }
  // Each with its original key and value; the tombstone's value stays null.
  ASSERT_EQ(by_key.size(), 3u);
  ASSERT_TRUE(by_key.contains("c-bad-1") && by_key.contains("c-bad-2") &&
              by_key.contains("c-bad-3"));
  EXPECT_EQ(by_key["c-bad-1"]->value, garbage);
  EXPECT_EQ(by_key["c-bad-1"]->header("reason"), "bad_protobuf");
  EXPECT_EQ(by_key["c-bad-2"]->value, bad_utf8);
  EXPECT_EQ(by_key["c-bad-2"]->header("reason"), "bad_protobuf");
  EXPECT_TRUE(by_key["c-bad-3"]->null_value) << "a tombstone is dead-lettered as a tombstone";
  EXPECT_EQ(by_key["c-bad-3"]->header("reason"), "missing_field:customer_id");
  const std::string log = read_text(dir.file("segd.log"));
  EXPECT_EQ(log.find("libprotobuf"), std::string::npos) << log;
}

}  // namespace
}  // namespace segd::test
