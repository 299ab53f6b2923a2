#include "io/pipeline/segment_members.h"

#include "core/common/partitioner.h"
#include "io/log/log.h"

namespace segd::io {

std::string SegmentMembers::key(std::string_view segment, int32_t partition) {
  return "members." + std::string(segment) + "/" + std::to_string(partition);
}

core::Result<int64_t*> SegmentMembers::count(int32_t partition, const std::string& segment) {
  std::map<std::string, int64_t>& counts = counts_[partition];
  if (auto it = counts.find(segment); it != counts.end()) {
    return &it->second;
  }
  auto stored = store_.get_meta_int(key(segment, partition));
  if (!stored) {
    return std::unexpected(stored.error());
  }
  return &counts.emplace(segment, stored->value_or(0)).first->second;
}

core::Result<void> SegmentMembers::load(int32_t partition, std::span<const std::string> segments) {
  counts_[partition];  // Owned, even with no segments.
  for (const std::string& segment : segments) {
    if (auto n = count(partition, segment); !n) {
      return std::unexpected(n.error());
    }
  }
  return {};
}

core::Result<void> SegmentMembers::apply(int32_t partition,
                                         std::span<const core::SegmentChange> changes,
                                         std::vector<std::pair<std::string, std::string>>& meta) {
  std::map<std::string_view, int64_t> moved;
  for (const core::SegmentChange& c : changes) {
    moved[c.segment] += c.change == core::ChangeKind::kEnter ? 1 : -1;
  }
  for (const auto& [segment, delta] : moved) {
    auto n = count(partition, std::string(segment));
    if (!n) {
      return std::unexpected(n.error());
    }
    **n += delta;
    meta.emplace_back(key(segment, partition), std::to_string(**n));
  }
  return {};
}

std::map<std::string, int64_t> SegmentMembers::totals() const {
  std::map<std::string, int64_t> out;
  for (const auto& [partition, counts] : counts_) {
    for (const auto& [segment, n] : counts) {
      out[segment] += n;
    }
  }
  return out;
}

core::Result<void> count_members_by_partition(RocksStore& store) {
  auto marked = store.get_meta(kMembersByPartition);
  if (!marked || marked->has_value()) {
    return marked ? core::Result<void>{} : std::unexpected(marked.error());
  }
  auto partitions = store.partition_count();
  if (!partitions) {
    return std::unexpected(partitions.error());
  }
  std::map<std::pair<std::string, int32_t>, int64_t> counts;
  int64_t customers = 0;
  if (partitions->has_value()) {
    log(LogLevel::kInfo, "pipeline",
        "counting segment members per partition (once, for a state dir written before they were "
        "kept so)");
    const int32_t count = **partitions;
    auto scanned = store.for_each_customer([&](const core::CustomerState& s) -> core::Result<void> {
      ++customers;
      const int32_t p = core::partition_for_key(s.customer_id, count).value();
      for (const std::string& segment : s.segments) {
        counts[{segment, p}] += 1;
      }
      return {};
    });
    if (!scanned) {
      return scanned;
    }
  }
  std::vector<std::pair<std::string, std::string>> meta;
  for (const auto& [where, n] : counts) {
    meta.emplace_back(SegmentMembers::key(where.first, where.second), std::to_string(n));
  }
  meta.emplace_back(std::string(kMembersByPartition), "1");
  if (auto committed = store.commit(core::BatchDelta{}, meta); !committed) {
    return std::unexpected(committed.error());
  }
  if (customers > 0) {
    log(LogLevel::kInfo, "pipeline",
        "counted the segment members of " + std::to_string(customers) + " stored customers");
  }
  return {};
}

}  // namespace segd::io
