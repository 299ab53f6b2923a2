// Dead letters that strain the dead-letter producer: a payload too large to be sent whole, an
// error text too long for a small message.max.bytes, more dead letters in one batch than the
// producer queues at once (each is dead-lettered, and the partition goes on), and a dead-letter
// topic whose broker is down at shutdown, or down for longer than the consumer may go without a
// poll.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kGood =
    R"({"event_id":"g-1","type":"page_view","customer_id":"c1","ts":"2026-01-05T00:00:00Z",)"
    R"("session_id":"s1"})";

struct DeadLetterRun {
  TopicSummary events;                     ///< segd's counts for the input topic.
  std::vector<HeadedRecord> dead_letters;  ///< The dead-letter topic afterwards.
};

// Produces `messages` to a one-partition topic `events`, runs segd to its end with these
// librdkafka properties, and reads back the dead-letter topic.
void run_to_end(const std::string& name,
                const std::vector<Message>& messages,
                const std::map<std::string, std::string>& rdkafka,
                DeadLetterRun& out) {
  const TempDir dir(name);
  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "events", messages));
  auto config = write_segd_config({.brokers = broker->bootstrap(),
                                   .state_dir = dir.file("state"),
                                   .input_topics = {"events"},
                                   .rdkafka = rdkafka},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto summary = run_segd_to_end(*config, dir, "segd.log", seconds(60));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  out.events = summary->topics["events"];
  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", 1);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  out.dead_letters = std::move(*dlq);
}

TEST(SegdDaemonTest, APayloadTooLargeForTheDeadLetterTopicGoesThereTruncated) {
  // Within the producer's and broker's limits as input, but not with the dead letter's headers.
  const std::string huge(999'950, 'x');
  DeadLetterRun run;
  ASSERT_NO_FATAL_FAILURE(run_to_end("dead-letter-large", {{0, "c0", huge}, {0, "c1", kGood}},
                                     {{"reconnect.backoff.max.ms", "1000"}}, run));
  EXPECT_EQ(run.events.consumed, 2);
  EXPECT_EQ(run.events.processed, 1);
  EXPECT_EQ(run.events.dead_lettered, (std::map<std::string, int64_t>{{"too_large", 1}}));
  ASSERT_EQ(run.dead_letters.size(), 1u);
  const HeadedRecord& dead = run.dead_letters.front();
  EXPECT_EQ(dead.header("payload_truncated_from"), "999950");
  EXPECT_LT(dead.value.size(), huge.size());
  EXPECT_GT(dead.value.size(), 900'000u);
  EXPECT_EQ(dead.value, huge.substr(0, dead.value.size())) << "the payload's beginning";
}

// The error text quotes the offending value: at librdkafka's smallest message.max.bytes, a
// dead letter whose headers alone were too long was refused, and segd stopped on it at every
// start. Headers are cut to fit as well as the payload.
TEST(SegdDaemonTest, ADeadLetterWhoseErrorTextIsLongerThanTheLimitIsCutToFit) {
  const std::string bad = R"({"event_id":"b-1","type":")" + std::string(30'000, 'x') +
                          R"(","customer_id":"c0","ts":"2026-01-05T00:00:00Z"})";
  DeadLetterRun run;
  ASSERT_NO_FATAL_FAILURE(
      run_to_end("dead-letter-headers", {{0, "c0", bad}, {0, "c1", kGood}},
                 {{"reconnect.backoff.max.ms", "1000"}, {"message.max.bytes", "1000"}}, run));
  EXPECT_EQ(run.events.consumed, 2);
  EXPECT_EQ(run.events.processed, 1);
  EXPECT_EQ(run.events.dead_lettered_total(), 1);
  ASSERT_EQ(run.dead_letters.size(), 1u);
  const HeadedRecord& dead = run.dead_letters.front();
  EXPECT_EQ(dead.header("source_offset"), "0");
  EXPECT_EQ(dead.header("payload_truncated_from"), std::to_string(bad.size()));
  EXPECT_LT(dead.header("message").value_or("").size(), 1000u);
}

TEST(SegdDaemonTest, MoreDeadLettersInABatchThanTheProducerQueuesAreAllConfirmed) {
  std::vector<Message> messages;
  for (int i = 0; i < 60; ++i) {
    messages.push_back({0, "c0", "not json " + std::to_string(i)});
  }
  messages.push_back({0, "c1", kGood});
  DeadLetterRun run;
  ASSERT_NO_FATAL_FAILURE(run_to_end(
      "dead-letter-queue", messages,
      {{"reconnect.backoff.max.ms", "1000"}, {"queue.buffering.max.messages", "10"}}, run));
  EXPECT_EQ(run.events.consumed, 61);
  EXPECT_EQ(run.events.processed, 1);
  EXPECT_EQ(run.events.dead_lettered, (std::map<std::string, int64_t>{{"bad_json", 60}}));
  EXPECT_EQ(run.dead_letters.size(), 60u);
}

// A segd (stopped by signal, with a 2 s shutdown drain) whose first batch waits for the dead
// letter of a `not json` message, as the dead-letter topic's only broker is down.
struct DeadLetterWait {
  std::optional<DevBroker> broker;
  std::string config;
  std::optional<SegdProcess> segd;
};

void start_dead_letter_wait(const TempDir& dir, DeadLetterWait& out) {
  auto broker = start_broker_with_topic_down("segd-dead-letters");
  ASSERT_TRUE(broker.has_value());
  out.broker.emplace(std::move(*broker));
  ASSERT_TRUE(produce_messages(out.broker->bootstrap(), "events",
                               {{0, "c0", "not json"}, {0, "c1", kGood}}));
  auto config = write_segd_config({.brokers = out.broker->bootstrap(),
                                   .state_dir = dir.file("state"),
                                   .input_topics = {"events"}},
                                  dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  out.config = *config;
  auto segd = start_segd(out.config, ExitMode::kOnSignal, dir.file("segd.log"),
                         {"--outbox.shutdown_drain_timeout_ms=2000"});
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  out.segd.emplace(std::move(*segd));
  ASSERT_TRUE(
      wait_for_log(*out.segd, "dead-letter: waiting for 1 dead letters", milliseconds(30000))
          .has_value())
      << out.segd->log();
}

// The dead-letter topic's only broker is down: the batch waits for its dead letter, and SIGTERM
// ends the wait after outbox.shutdown_drain_timeout_ms instead of never. The batch is not
// committed, so the next run reads all of it again: nothing is lost.
TEST(SegdDaemonTest, ASigtermEndsAWaitForDeadLettersWhoseBrokerIsDown) {
  const TempDir dir("dead-letter-down");
  DeadLetterWait wait;
  ASSERT_NO_FATAL_FAILURE(start_dead_letter_wait(dir, wait));
  auto& broker = wait.broker;
  auto& config = wait.config;
  auto& segd = wait.segd;
  segd->process.kill(SIGTERM);
  auto code = segd->wait(milliseconds(20000));
  if (!code) {
    segd->process.kill(SIGKILL);
  }
  ASSERT_TRUE(code.has_value()) << "segd still running 20 s after SIGTERM:\n" << segd->log();
  EXPECT_NE(*code, 0) << segd->log();
  EXPECT_NE(segd->log().find("dead_letters_unconfirmed"), std::string::npos) << segd->log();

  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-up 2"));
  auto summary = run_segd_to_end(config, dir, "segd-again.log", seconds(60));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, 2) << "the uncommitted batch is read again";
  EXPECT_EQ(events.processed, 1);
  EXPECT_EQ(events.dead_lettered, (std::map<std::string, int64_t>{{"bad_json", 1}}));
  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", 1);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  EXPECT_GE(dlq->size(), 1u);
}

// While a batch waited for its dead letters the gauges were not updated: input kept arriving,
// but segd_consumer_lag_messages stayed 0, and no alert (SegdNoThroughput) could fire.
TEST(SegdDaemonTest, LagShowsWhileABatchWaitsForItsDeadLetters) {
  const TempDir dir("dead-letter-lag");
  DeadLetterWait wait;
  ASSERT_NO_FATAL_FAILURE(start_dead_letter_wait(dir, wait));
  auto& broker = wait.broker;
  auto& segd = wait.segd;
  std::vector<Message> more;
  for (int i = 0; i < 40; ++i) {
    more.push_back({0, "c2", kGood});
  }
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "events", more));
  EXPECT_TRUE(wait_for_metric(*segd, "segd_consumer_lag_messages{partition=\"0\"}", 40,
                              milliseconds(15000)))
      << "lag " << metric_value(*segd, "segd_consumer_lag_messages{partition=\"0\"}").value_or(-1)
      << "\n"
      << segd->log();
  segd->process.kill(SIGTERM);
  static_cast<void>(segd->wait(milliseconds(20000)));
}

// The batch waits for its dead letter longer than max.poll.interval.ms, so librdkafka leaves the
// group and hands the pipeline a MAX_POLL_EXCEEDED error. segd stopped on it (exit 1); it is a
// transient condition: the consumer rejoins at its next poll, gets its partition back, and the
// run goes on once the dead letter is confirmed.
TEST(SegdDaemonTest, AWaitLongerThanTheMaxPollIntervalRejoinsTheGroupInsteadOfStopping) {
  const TempDir dir("dead-letter-max-poll");
  auto broker = start_broker_with_topic_down("segd-dead-letters");
  ASSERT_TRUE(broker.has_value());
  ASSERT_TRUE(
      produce_messages(broker->bootstrap(), "events", {{0, "c0", "not json"}, {0, "c1", kGood}}));
  auto config = write_segd_config(
      {.brokers = broker->bootstrap(),
       .state_dir = dir.file("state"),
       .input_topics = {"events"},
       .rdkafka = {{"reconnect.backoff.max.ms", "1000"}, {"max.poll.interval.ms", "3000"}}},
      dir);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  auto segd = start_segd(*config, ExitMode::kAtEnd, dir.file("segd.log"),
                         {"--kafka.session_timeout_ms=3000"});
  ASSERT_TRUE(segd.has_value()) << segd.error().message;
  ASSERT_TRUE(wait_for_log(*segd, "maximum poll interval", milliseconds(30000)).has_value())
      << segd->log();
  ASSERT_NO_FATAL_FAILURE(control(*broker, "broker-up 2"));
  auto code = segd->wait(milliseconds(60000));
  if (!code) {
    segd->process.kill(SIGKILL);
  }
  ASSERT_TRUE(code.has_value()) << "segd still running 60 s after the broker came back:\n"
                                << segd->log();
  EXPECT_EQ(*code, 0) << segd->log();
  auto summary = parse_summary(segd->log());
  ASSERT_TRUE(summary.has_value()) << summary.error().message << "\n" << segd->log();
  const TopicSummary& events = summary->topics["events"];
  EXPECT_EQ(events.consumed, 2) << segd->log();
  EXPECT_EQ(events.processed, 1);
  EXPECT_EQ(events.dead_lettered, (std::map<std::string, int64_t>{{"bad_json", 1}}));
  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", 1);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  EXPECT_EQ(dlq->size(), 1u);
}

}  // namespace
}  // namespace segd::test
