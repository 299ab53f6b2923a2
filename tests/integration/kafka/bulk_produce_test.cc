// produce_jsonl against segd-devbroker (librdkafka's mock cluster in its own process), read back
// with a plain librdkafka consumer.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "core/common/partitioner.h"
#include "integration/kafka/consume.h"
#include "io/kafka/bulk_producer.h"
#include "support/devbroker.h"

namespace segd::test {
namespace {

using io::kafka::BulkProduceConfig;
using io::kafka::produce_jsonl;
using io::kafka::ProduceStats;

constexpr int32_t kPartitions = 6;

std::unique_ptr<DevBroker> start_broker(int32_t brokers, const std::string& topic_spec) {
  auto broker = DevBroker::start(DevBrokerOptions{
      .binary = SEGD_BIN_DIR "/segd-devbroker", .brokers = brokers, .topics = {topic_spec}});
  EXPECT_TRUE(broker.has_value()) << broker.error().code << ": " << broker.error().message;
  return broker ? std::make_unique<DevBroker>(std::move(*broker)) : nullptr;
}

BulkProduceConfig config_for(const DevBroker& broker, const std::string& topic) {
  BulkProduceConfig config;
  config.brokers = broker.bootstrap();
  config.topic = topic;
  config.flush_timeout = std::chrono::seconds(15);
  config.rdkafka_overrides = {{"retry.backoff.ms", "50"}};
  return config;
}

/// Whether a test tolerates records written twice. The mock broker only checks producer
/// sequence numbers for transactional producers, so when a connection drops after it appended
/// a batch but before the client saw the response, the idempotent producer's retry is appended
/// again. A real broker would drop it; on the mock we can only prove that nothing is lost.
enum class Duplicates { kForbidden, kToleratedOnMock };

/// Every produced line is in the topic, keyed by its customer and placed in the partition that
/// core::partition_for_key predicts, and nothing else is. Returns the number of duplicates.
int64_t expect_all_lines_in_key_partitions(const std::vector<Record>& records,
                                           const std::string& lines,
                                           Duplicates duplicates) {
  std::set<std::string> produced;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    produced.insert(line);
  }
  std::set<std::string> seen;
  int64_t duplicate_count = 0;
  for (const auto& r : records) {
    EXPECT_TRUE(r.key.has_value()) << r.value;
    if (!r.key) {
      continue;
    }
    EXPECT_NE(r.value.find("\"customer_id\":\"" + *r.key + "\""), std::string::npos);
    EXPECT_EQ(r.partition, core::partition_for_key(*r.key, kPartitions).value()) << *r.key;
    EXPECT_TRUE(produced.contains(r.value)) << "never produced: " << r.value;
    if (!seen.insert(r.value).second) {
      ++duplicate_count;
      EXPECT_EQ(duplicates, Duplicates::kToleratedOnMock) << "duplicate: " << r.value;
    }
  }
  EXPECT_EQ(seen.size(), produced.size()) << "lines lost";
  return duplicate_count;
}

TEST(BulkProduceTest, DeliversEveryLineToItsKeyPartition) {
  auto broker = start_broker(1, "events:6");
  ASSERT_TRUE(broker);
  const std::string lines = make_lines(20000, 997);
  std::istringstream in(lines);
  auto stats = produce_jsonl(config_for(*broker, "events"), in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->produced, 20000);
  EXPECT_EQ(stats->delivered, 20000);
  EXPECT_EQ(stats->failed, 0) << stats->first_error;
  EXPECT_EQ(stats->null_keys, 0);
  auto records = consume_all(broker->bootstrap(), "events", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  EXPECT_EQ(records->size(), 20000U);
  expect_all_lines_in_key_partitions(*records, lines, Duplicates::kForbidden);
}

TEST(BulkProduceTest, AnEncoderTurnsLinesIntoPayloadsAndLinesItCannotGoAsTheyAre) {
  auto broker = start_broker(1, "encoded:6");
  ASSERT_TRUE(broker);
  std::istringstream in("{\"customer_id\":\"c1\",\"n\":1}\n{\"customer_id\":\"c2\",\"n\":2}\n");
  // Upper-cases the first line; cannot encode the second.
  const io::kafka::LineEncoder encode = [](std::string_view line) -> std::optional<std::string> {
    if (line.find("c2") != std::string_view::npos) {
      return std::nullopt;
    }
    std::string out(line);
    for (char& c : out) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
  };
  auto stats = produce_jsonl(config_for(*broker, "encoded"), in, encode);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->produced, 2);
  EXPECT_EQ(stats->delivered, 2);
  EXPECT_EQ(stats->sent_as_is, 1);
  auto records = consume_all(broker->bootstrap(), "encoded", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  std::map<std::string, std::optional<std::string>> key_of;
  for (const auto& r : *records) {
    key_of[r.value] = r.key;
  }
  // Keys come from the line, not from the payload.
  EXPECT_EQ(key_of, (std::map<std::string, std::optional<std::string>>{
                        {"{\"CUSTOMER_ID\":\"C1\",\"N\":1}", "c1"},
                        {"{\"customer_id\":\"c2\",\"n\":2}", "c2"}}));
}

TEST(BulkProduceTest, LinesWithoutCustomerIdGetNullKeyAndBlankLinesAreSkipped) {
  auto broker = start_broker(1, "mixed:6");
  ASSERT_TRUE(broker);
  std::istringstream in(
      "{\"customer_id\":\"c1\",\"type\":\"search\"}\n\n   \n{\"type\":\"search\"}\nnot json\n");
  auto stats = produce_jsonl(config_for(*broker, "mixed"), in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->produced, 3);
  EXPECT_EQ(stats->delivered, 3);
  EXPECT_EQ(stats->null_keys, 2);
  EXPECT_EQ(stats->blank_lines, 2);
  auto records = consume_all(broker->bootstrap(), "mixed", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  ASSERT_EQ(records->size(), 3U);
  std::map<std::string, std::optional<std::string>> key_of;
  for (const auto& r : *records) {
    key_of[r.value] = r.key;
  }
  EXPECT_EQ(key_of["{\"customer_id\":\"c1\",\"type\":\"search\"}"], "c1");
  EXPECT_EQ(key_of["{\"type\":\"search\"}"], std::nullopt);
  EXPECT_EQ(key_of["not json"], std::nullopt);
}

TEST(BulkProduceTest, OversizedLineCountsAsFailedAndTheOthersArrive) {
  auto broker = start_broker(1, "sizes:6");
  ASSERT_TRUE(broker);
  auto config = config_for(*broker, "sizes");
  config.rdkafka_overrides["message.max.bytes"] = "1000";
  std::istringstream in("{\"customer_id\":\"a\"}\r\n{\"customer_id\":\"b\",\"pad\":\"" +
                        std::string(2000, 'x') + "\"}\n{\"customer_id\":\"c\"}\n");
  auto stats = produce_jsonl(config, in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->produced, 3);
  EXPECT_EQ(stats->delivered, 2);
  EXPECT_EQ(stats->failed, 1);
  // Read only as far as a message can be long, and refused before librdkafka sees it.
  EXPECT_EQ(stats->first_error, "line 2 is 2028 bytes, more than message.max.bytes (1000)");
  auto records = consume_all(broker->bootstrap(), "sizes", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  std::set<std::string> values;
  for (const auto& r : *records) {
    values.insert(r.value);
  }
  // The CR of the CRLF line is stripped.
  EXPECT_EQ(values, (std::set<std::string>{"{\"customer_id\":\"a\"}", "{\"customer_id\":\"c\"}"}));
}

TEST(BulkProduceTest, RejectsBadConfigBeforeConnecting) {
  BulkProduceConfig config{.brokers = "127.0.0.1:1", .topic = "t"};
  config.rdkafka_overrides = {{"no.such.property", "x"}};
  std::istringstream in("{}\n");
  auto stats = produce_jsonl(config, in);
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().code, "kafka.bad_config");
}

/// Runs produce_jsonl on another thread while `during` drives faults on this one.
core::Result<ProduceStats> produce_during(const BulkProduceConfig& config,
                                          const std::string& lines,
                                          const std::function<void()>& during) {
  core::Result<ProduceStats> stats = core::fail("not_run");
  std::thread producer([&] {
    std::istringstream in(lines);
    stats = produce_jsonl(config, in);
  });
  during();
  producer.join();
  return stats;
}

TEST(BulkProduceTest, NothingLostWhenBrokerGoesDownAndUp) {
  auto broker = start_broker(3, "faults:6");
  ASSERT_TRUE(broker);
  const std::string lines = make_lines(30000, 1499);
  // Broker 1 leads some partitions and the mock does not move leaders: their messages wait
  // while it is down, then drain when it is back.
  ASSERT_EQ(broker->command("broker-down 1").value_or("no reply"), "ok") << broker->log();
  auto stats = produce_during(config_for(*broker, "faults"), lines, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(broker->command("broker-up 1").value_or("no reply"), "ok");
  });
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->delivered, 30000);
  EXPECT_EQ(stats->failed, 0) << stats->first_error;
  auto records = consume_all(broker->bootstrap(), "faults", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  const int64_t dups =
      expect_all_lines_in_key_partitions(*records, lines, Duplicates::kToleratedOnMock);
  RecordProperty("mock_duplicates", std::to_string(dups));
}

TEST(BulkProduceTest, NoLossOrDuplicatesWhenProduceRequestsFail) {
  auto broker = start_broker(1, "errors:6");
  ASSERT_TRUE(broker);
  const std::string lines = make_lines(30000, 1499);
  // Error responses are returned before the mock appends, so retries cannot duplicate.
  const auto reply = broker->command(
      "request-errors Produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT NOT_ENOUGH_REPLICAS "
      "LEADER_NOT_AVAILABLE NOT_LEADER_FOR_PARTITION");
  ASSERT_EQ(reply.value_or("no reply"), "ok") << broker->log();
  std::istringstream in(lines);
  auto stats = produce_jsonl(config_for(*broker, "errors"), in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->delivered, 30000);
  EXPECT_EQ(stats->failed, 0) << stats->first_error;
  auto records = consume_all(broker->bootstrap(), "errors", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  EXPECT_EQ(records->size(), 30000U);
  expect_all_lines_in_key_partitions(*records, lines, Duplicates::kForbidden);
}

// A fatal producer error used to return the error alone: nobody could tell that thousands of
// lines were already in the topic, and producing the file again duplicated them.
TEST(BulkProduceTest, AFatalProducerErrorStillReportsWhatWasDelivered) {
  auto broker = start_broker(1, "fatal:6");
  ASSERT_TRUE(broker);
  const std::string lines = make_lines(20000, 999);
  // A sequence gap on the fourth produce request breaks idempotence: fatal.
  ASSERT_EQ(broker->command("request-errors Produce 0 0 0 OUT_OF_ORDER_SEQUENCE_NUMBER")
                .value_or("no reply"),
            "ok");
  std::istringstream in(lines);
  auto stats = produce_jsonl(config_for(*broker, "fatal"), in);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(stats->stopped);
  EXPECT_NE(stats->first_error.find("fatal producer error"), std::string::npos)
      << stats->first_error;
  EXPECT_EQ(stats->delivered + stats->failed, stats->produced);
  auto records = consume_all(broker->bootstrap(), "fatal", kPartitions);
  ASSERT_TRUE(records.has_value()) << records.error().message;
  EXPECT_EQ(static_cast<int64_t>(records->size()), stats->delivered);
}

TEST(BulkProduceTest, MatchesLibrdkafkaMurmur2ForManyKeys) {
  // The placement check above goes through the broker; this one asks librdkafka directly.
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "cust-" + std::to_string(i * 7919);
    for (int32_t count : {1, 4, 6, 7, 64}) {
      ASSERT_EQ(rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), count, nullptr,
                                                 nullptr),
                core::partition_for_key(key, count).value())
          << key;
    }
  }
}

TEST(DevBrokerTest, AnswersControlCommands) {
  auto broker = start_broker(3, "ctl:2");
  ASSERT_TRUE(broker);
  EXPECT_EQ(broker->command("rtt 2 5").value_or(""), "ok");
  EXPECT_EQ(broker->command("leader ctl 0 3").value_or(""), "ok");
  EXPECT_EQ(broker->command("coordinator group g1 2").value_or(""), "ok");
  EXPECT_EQ(broker->command("coordinator txn tx1 1").value_or(""), "ok");
  EXPECT_EQ(broker->command("request-errors 0 6 -195").value_or(""), "ok");
  EXPECT_TRUE(
      broker->command("request-errors Produce NO_SUCH_ERROR").value_or("").starts_with("error: "));
  // Taken ("ok") and never returned: no request has API key 9999, no client knows code 99999.
  EXPECT_TRUE(broker->command("request-errors 9999 6")
                  .value_or("")
                  .starts_with("error: unknown api key: 9999 (known: Produce=0 Fetch=1 "))
      << broker->command("request-errors 9999 6").value_or("");
  EXPECT_EQ(broker->command("request-errors Produce 99999").value_or(""),
            "error: unknown error code: 99999");
  // NO_ERROR is a success in the sequence; internal codes other than _TRANSPORT would reach the
  // client as response error codes no broker sends.
  EXPECT_EQ(broker->command("request-errors Produce NO_ERROR REQUEST_TIMED_OUT").value_or(""),
            "ok");
  EXPECT_EQ(broker->command("request-errors Produce _END").value_or(""),
            "error: error code _END is internal to librdkafka, never sent by a broker (of the "
            "internal codes only _TRANSPORT, a forced disconnect, is taken)");
  EXPECT_TRUE(broker->command("request-errors Fetch -191")
                  .value_or("")
                  .starts_with("error: error code _PARTITION_EOF is internal"));
  EXPECT_TRUE(broker->command("frobnicate").value_or("").starts_with("error: "));
  EXPECT_TRUE(broker->command("broker-down 42").value_or("").starts_with("error: "));
  // The mock takes any id here; a coordinator on broker 9 of 3 aborted the whole cluster at the
  // next FindCoordinator (a review), and `leader` on an unknown topic created it with PARTITION + 1
  // partitions.
  EXPECT_EQ(broker->command("coordinator group g1 9").value_or(""),
            "error: no broker 9 (ids are 1..3)");
  EXPECT_EQ(broker->command("coordinator txn tx1 0").value_or(""),
            "error: no broker 0 (ids are 1..3)");
  EXPECT_EQ(broker->command("leader ctl 0 4").value_or(""),
            "error: no broker 4 (ids are 1..3, -1 for no leader)");
  EXPECT_EQ(broker->command("leader typo 20000 1").value_or(""),
            "error: partition 20000 is not in 0..9999");
  EXPECT_EQ(broker->command("leader ctl 1 -1").value_or(""), "ok");
  const auto stopped = broker->stop();
  EXPECT_TRUE(stopped.has_value()) << stopped.error().message;
}

}  // namespace
}  // namespace segd::test
