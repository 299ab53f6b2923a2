#include "io/pipeline/topic_merger.h"

#include <algorithm>

namespace segd::io {

TopicMerger::TopicMerger(size_t topic_count)
    : buffers_(topic_count), at_end_(topic_count, false), empty_since_(topic_count) {}

void TopicMerger::push(Item item) {
  at_end_[item.topic] = false;
  buffers_[item.topic].push_back(std::move(item));
}

void TopicMerger::set_at_end(size_t topic, bool at_end) { at_end_[topic] = at_end; }

std::optional<size_t> TopicMerger::next_topic() const {
  std::optional<size_t> best;
  for (size_t t = 0; t < buffers_.size(); ++t) {
    if (buffers_[t].empty()) {
      continue;
    }
    const Item& head = buffers_[t].front();
    if (head.rejected) {
      return t;  // Not merged by time: it goes as soon as the events before it went.
    }
    if (!best || head.event.ts < buffers_[*best].front().event.ts) {
      best = t;  // Ties keep the earlier topic: ts, then topic order, then offset (FIFO).
    }
  }
  return best;
}

std::vector<TopicMerger::Item> TopicMerger::release(std::chrono::steady_clock::time_point now,
                                                    std::chrono::milliseconds max_wait,
                                                    const UnreadQuery& unread) {
  std::vector<Item> out;
  while (true) {
    const auto next = next_topic();
    if (!next) {
      break;
    }
    const auto waiting_since = buffers_[*next].front().arrived;
    bool hold = false;
    for (size_t t = 0; t < buffers_.size() && !hold && !buffers_[*next].front().rejected; ++t) {
      if (!buffers_[t].empty() || at_end_[t]) {
        continue;  // A topic may still deliver an earlier event only when empty and not at end.
      }
      hold = now - std::max(empty_since_[t], waiting_since) < max_wait || (unread && unread(t));
    }
    if (hold) {
      break;
    }
    out.push_back(std::move(buffers_[*next].front()));
    buffers_[*next].pop_front();
    if (buffers_[*next].empty()) {
      empty_since_[*next] = now;
    }
  }
  return out;
}

bool TopicMerger::empty() const {
  return std::all_of(buffers_.begin(), buffers_.end(), [](const auto& b) { return b.empty(); });
}

std::optional<int64_t> TopicMerger::first_buffered(size_t topic) const {
  if (buffers_[topic].empty()) {
    return std::nullopt;
  }
  return buffers_[topic].front().offset;
}

std::optional<int64_t> TopicMerger::last_buffered(size_t topic) const {
  if (buffers_[topic].empty()) {
    return std::nullopt;
  }
  return buffers_[topic].back().offset;
}

}  // namespace segd::io
