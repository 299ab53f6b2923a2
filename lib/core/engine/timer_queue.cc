#include "core/engine/timer_queue.h"

#include <absl/hash/hash.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace segd::core {

size_t TimerQueue::KeyHash::operator()(const TimerKey& key) const {
  return absl::Hash<std::pair<int64_t, std::string_view>>{}({key.due_ms, key.customer_id});
}

int64_t TimerQueue::bucket_of(int64_t due_ms) {
  // Any map that never decreases keeps the buckets in due-time order: truncation does (the bucket
  // around 0 spans two hours).
  return due_ms / kBucketMs;
}

void TimerQueue::insert(const TimerKey& key) {
  Bucket& bucket = buckets_[bucket_of(key.due_ms)];
  const bool added =
      bucket.is_sorted ? bucket.sorted.insert(key).second : bucket.hashed.insert(key).second;
  size_ += added ? 1 : 0;
}

bool TimerQueue::erase(const TimerKey& key) {
  const auto it = buckets_.find(bucket_of(key.due_ms));
  if (it == buckets_.end()) {
    return false;
  }
  Bucket& bucket = it->second;
  const bool erased =
      bucket.is_sorted ? bucket.sorted.erase(key) == 1 : bucket.hashed.erase(key) == 1;
  if (!erased) {
    return false;
  }
  size_ -= 1;
  if (bucket.is_sorted ? bucket.sorted.empty() : bucket.hashed.empty()) {
    buckets_.erase(it);
  }
  return true;
}

bool TimerQueue::contains(const TimerKey& key) const {
  const auto it = buckets_.find(bucket_of(key.due_ms));
  if (it == buckets_.end()) {
    return false;
  }
  const Bucket& bucket = it->second;
  return bucket.is_sorted ? bucket.sorted.contains(key) : bucket.hashed.contains(key);
}

const TimerKey* TimerQueue::earliest() {
  if (buckets_.empty()) {
    return nullptr;
  }
  Bucket& bucket = buckets_.begin()->second;
  if (!bucket.is_sorted) {
    std::vector<TimerKey> keys(bucket.hashed.begin(), bucket.hashed.end());
    std::sort(keys.begin(), keys.end());
    bucket.hashed = {};
    for (TimerKey& key : keys) {
      bucket.sorted.insert(bucket.sorted.end(), std::move(key));
    }
    bucket.is_sorted = true;
  }
  return &*bucket.sorted.begin();
}

}  // namespace segd::core
