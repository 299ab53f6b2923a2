#include "io/pipeline/topic_merger.h"

#include <gtest/gtest.h>

#include "support/builders.h"

namespace segd::io {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TopicMerger::Item item(size_t topic, int64_t offset, double day, Clock::time_point at) {
  return {testing::make_event(core::EventType::kPageView, testing::at_day(day)), topic, offset, at};
}

std::vector<int64_t> offsets(const std::vector<TopicMerger::Item>& items) {
  std::vector<int64_t> out;
  for (const auto& i : items) {
    out.push_back(i.topic * 100 + i.offset);
  }
  return out;
}

TEST(TopicMergerTest, OneTopicPassesStraightThrough) {
  TopicMerger m(1);
  const auto t0 = Clock::now();
  m.push(item(0, 7, 1.0, t0));
  EXPECT_EQ(offsets(m.release(t0, milliseconds(500))), (std::vector<int64_t>{7}));
  EXPECT_EQ(m.first_buffered(0), std::nullopt);
}

TEST(TopicMergerTest, MergesByEventTimeAndWaitsForAnEmptyTopic) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(0, 1, 2.0, t0));
  m.push(item(0, 2, 4.0, t0));
  // Topic 1 has nothing yet and is not at its end: wait.
  EXPECT_TRUE(m.release(t0, milliseconds(500)).empty());
  EXPECT_EQ(m.first_buffered(0), 1);
  EXPECT_EQ(m.last_buffered(0), 2);
  EXPECT_EQ(m.last_buffered(1), std::nullopt);
  m.push(item(1, 9, 3.0, t0));
  // 2.0 (topic 0) then 3.0 (topic 1); then topic 1 is empty again: 4.0 waits.
  EXPECT_EQ(offsets(m.release(t0, milliseconds(500))), (std::vector<int64_t>{1, 109}));
  // Topic 1 read to its end: nothing earlier can come, release.
  m.set_at_end(1, true);
  EXPECT_EQ(offsets(m.release(t0, milliseconds(500))), (std::vector<int64_t>{2}));
}

TEST(TopicMergerTest, ASlowTopicStallsOthersAtMostMaxWait) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(0, 1, 2.0, t0));
  EXPECT_TRUE(m.release(t0 + milliseconds(499), milliseconds(500)).empty());
  EXPECT_EQ(offsets(m.release(t0 + milliseconds(500), milliseconds(500))),
            (std::vector<int64_t>{1}));
}

TEST(TopicMergerTest, TheWaitStartsWhenTheQuietTopicRanEmpty) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(0, 1, 3.0, t0));
  m.push(item(1, 5, 1.0, t0 + milliseconds(900)));
  EXPECT_EQ(offsets(m.release(t0 + milliseconds(1000), milliseconds(500))),
            (std::vector<int64_t>{105}));
  // Topic 0's event has waited 1.2 s, but topic 1 ran empty only 200 ms ago: between two
  // fetches, not quiet. (Measured from the waiting event's arrival, this released it.)
  EXPECT_TRUE(m.release(t0 + milliseconds(1200), milliseconds(500)).empty());
  EXPECT_EQ(offsets(m.release(t0 + milliseconds(1500), milliseconds(500))),
            (std::vector<int64_t>{1}));
}

TEST(TopicMergerTest, ATopicWithKnownUnreadMessagesHoldsTheOthersBackPastMaxWait) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(0, 1, 9.0, t0));
  std::vector<size_t> asked;
  const auto unread = [&asked](size_t topic) {
    asked.push_back(topic);
    return true;
  };
  EXPECT_TRUE(m.release(t0 + milliseconds(60'000), milliseconds(500), unread).empty());
  EXPECT_EQ(asked, (std::vector<size_t>{1}));  // Only the topic that holds the others back.
  EXPECT_EQ(offsets(m.release(t0 + milliseconds(60'000), milliseconds(500),
                              [](size_t) { return false; })),
            (std::vector<int64_t>{1}));
}

TEST(TopicMergerTest, TiesGoToTheEarlierTopicAndTopicsAtTheirEndDrain) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(1, 5, 1.0, t0));
  m.push(item(0, 6, 1.0, t0));
  m.push(item(0, 7, 3.0, t0));
  m.set_at_end(0, true);
  m.set_at_end(1, true);
  EXPECT_EQ(offsets(m.release(t0, milliseconds(500))), (std::vector<int64_t>{6, 105, 7}));
  EXPECT_TRUE(m.empty());
}

TEST(TopicMergerTest, ARejectedMessageGoesRightAfterTheEventsBeforeItInItsTopic) {
  TopicMerger m(2);
  const auto t0 = Clock::now();
  m.push(item(0, 1, 5.0, t0));
  TopicMerger::Item rejected{.topic = 0, .offset = 2, .arrived = t0};
  rejected.rejected = TopicMerger::Rejected{"c1", "not json", core::Error{"bad_json", "x"}};
  m.push(std::move(rejected));
  // Topic 1 may still deliver an earlier event: offset 1 waits, and the rejected one behind it.
  EXPECT_TRUE(m.release(t0, milliseconds(500)).empty());
  EXPECT_EQ(m.first_buffered(0), 1);
  m.push(item(1, 7, 9.0, t0));
  // Offset 1 (ts 5) goes; then the rejected message, ahead of topic 1's event and though topic 1
  // has nothing else buffered: it is not merged by time.
  const auto out = m.release(t0, milliseconds(500));
  ASSERT_EQ(offsets(out), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(out[1].rejected.has_value());
  EXPECT_EQ(m.first_buffered(0), std::nullopt);
}

}  // namespace
}  // namespace segd::io
