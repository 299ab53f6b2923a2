#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/events/event.h"

namespace segd::io {

/// Merges one partition of several co-partitioned input topics (clicks/3 and purchases/3) into one
/// stream ordered by event time, as Kafka Streams does: the buffered event with the smallest
/// (ts, topic order, offset) goes first, but only while every topic has a buffered event or has
/// been read to its end. A topic with nothing buffered holds the others back for as long as the
/// broker is known to hold unread messages of it (so topics written before they are read, as in
/// a backfill, merge the same way however the fetches interleave), and otherwise for at most
/// `max_wait` from when it ran empty or the waiting event arrived, whichever is later (a topic
/// that is merely quiet must not stall the others). With one topic, events pass straight through.
/// Not thread-safe (the pipeline thread owns it).
class TopicMerger {
 public:
  /// A message that is dead-lettered, not processed: it keeps its place in its topic's order
  /// (after the events before it), but not in the merge by time.
  struct Rejected {
    std::optional<std::string> key;      ///< nullopt: null.
    std::optional<std::string> payload;  ///< nullopt: null (a tombstone).
    core::Error reason;
  };
  struct Item {
    core::Event event;  ///< Unset when rejected.
    size_t topic = 0;   ///< Index into the topic list.
    int64_t offset = 0;
    std::chrono::steady_clock::time_point arrived;
    std::optional<Rejected> rejected;
  };

  explicit TopicMerger(size_t topic_count);

  void push(Item item);
  /// Whether `topic` has been read to its end (partition EOF) since its last message.
  void set_at_end(size_t topic, bool at_end);
  /// Whether the broker is known to hold messages of `topic` that were not pushed yet; asked only
  /// about a topic that holds the others back.
  using UnreadQuery = std::function<bool(size_t topic)>;

  /// The items that may be processed now, in order.
  [[nodiscard]] std::vector<Item> release(std::chrono::steady_clock::time_point now,
                                          std::chrono::milliseconds max_wait,
                                          const UnreadQuery& unread = {});
  /// Whether no event is buffered.
  [[nodiscard]] bool empty() const;
  /// The offset of the first event of `topic` still buffered: the position to commit.
  [[nodiscard]] std::optional<int64_t> first_buffered(size_t topic) const;
  /// The offset of the last event of `topic` buffered: the latest read.
  [[nodiscard]] std::optional<int64_t> last_buffered(size_t topic) const;

 private:
  [[nodiscard]] std::optional<size_t> next_topic() const;

  std::vector<std::deque<Item>> buffers_;
  std::vector<bool> at_end_;
  std::vector<std::chrono::steady_clock::time_point> empty_since_;  ///< When a buffer ran empty.
};

}  // namespace segd::io
