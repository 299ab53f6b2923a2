// engine.max_event_time_ahead: an event dated far ahead of its Kafka record's timestamp is
// dead-lettered (it would move its partition's stream time, and fire every timer there, early);
// `off` lets it through.
#include <gtest/gtest.h>

#include <chrono>

#include "integration/daemon/harness.h"
#include "integration/daemon/scenario.h"

namespace segd::test {
namespace {

using std::chrono::seconds;

std::string page_view(const std::string& id, const std::string& customer, int64_t ts_ms) {
  return R"({"event_id":")" + id + R"(","type":"page_view","customer_id":")" + customer +
         R"(","ts":)" + std::to_string(ts_ms) + R"(,"session_id":"s-)" + customer + "\"}";
}

TEST(SegdDaemonTest, EventsFarAheadOfTheirRecordTimestampAreDeadLettered) {
  const TempDir dir("event-time");
  auto broker = start_broker(1, topics_with(1));
  ASSERT_TRUE(broker.has_value());
  // The records' timestamps are their produce time (CreateTime), a little after `now`.
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string future = page_view("f-3", "c2", now + 2 * 86'400'000LL);
  ASSERT_TRUE(produce_messages(broker->bootstrap(), "events",
                               {{0, "c1", page_view("f-1", "c1", now - 3'600'000)},
                                {0, "c1", page_view("f-2", "c1", now + 600'000)},
                                {0, "c2", future}})
                  .has_value());

  const auto run = [&](const std::string& name, const std::vector<std::string>& flags) {
    auto config = write_segd_config({.brokers = broker->bootstrap(),
                                     .state_dir = dir.file(name + "-state"),
                                     .input_topics = {"events"},
                                     .group_id = name},
                                    dir);
    EXPECT_TRUE(config.has_value());
    auto summary = run_segd_to_end(config.value_or(""), dir, name + ".log", seconds(60), flags);
    EXPECT_TRUE(summary.has_value()) << summary.error().message;
    return summary.value_or(Summary{});
  };

  Summary checked = run("checked", {});
  const TopicSummary& events = checked.topics["events"];
  EXPECT_EQ(events.consumed, 3);
  EXPECT_EQ(events.processed, 2) << "10 minutes ahead is within the default 1h";
  EXPECT_EQ(events.dead_lettered, (std::map<std::string, int64_t>{{"future_timestamp", 1}}));
  auto dlq = read_topic(broker->bootstrap(), "segd-dead-letters", 1);
  ASSERT_TRUE(dlq.has_value()) << dlq.error().message;
  ASSERT_EQ(dlq->size(), 1u);
  EXPECT_EQ(dlq->front().value, future);
  EXPECT_EQ(dlq->front().header("reason"), "future_timestamp");
  EXPECT_EQ(dlq->front().header("source_offset"), "2");
  EXPECT_NE(dlq->front().header("message").value_or("").find("is more than 1h ahead of the Kafka "
                                                             "record's timestamp"),
            std::string::npos)
      << dlq->front().header("message").value_or("<no message header>");

  Summary unchecked = run("unchecked", {"--engine.max_event_time_ahead=off"});
  EXPECT_EQ(unchecked.topics["events"].processed, 3);
  EXPECT_EQ(unchecked.topics["events"].dead_lettered_total(), 0);
}

}  // namespace
}  // namespace segd::test
