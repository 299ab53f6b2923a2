#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/segments/segment_change.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// Segment member counts per engine partition, kept in the offsets family as
/// `members.<segment>/<partition>` (segment names hold no '/'), written by the commit that moves
/// them. An instance reports the sum over the partitions it owns, so the sum over the instances
/// of a group is the whole count, whatever rebalances moved.
class SegmentMembers {
 public:
  explicit SegmentMembers(RocksStore& store) : store_(store) {}

  /// The meta key of `segment`'s count in `partition`.
  [[nodiscard]] static std::string key(std::string_view segment, int32_t partition);

  /// Reads `partition`'s stored counts of `segments` (the rules' segments, so that totals() shows
  /// them all). Errors: as get_meta_int.
  [[nodiscard]] core::Result<void> load(int32_t partition, std::span<const std::string> segments);
  /// Forgets every partition (they were revoked).
  void clear() { counts_.clear(); }
  /// Counts a batch's `changes` of `partition` (enter +1, exit -1; a count not loaded yet, such
  /// as a segment since removed from the rules, is read first) and appends the new value of each
  /// count it moved to `meta`. Errors: as get_meta_int.
  [[nodiscard]] core::Result<void> apply(int32_t partition,
                                         std::span<const core::SegmentChange> changes,
                                         std::vector<std::pair<std::string, std::string>>& meta);
  /// Per segment, the sum over the loaded partitions.
  [[nodiscard]] std::map<std::string, int64_t> totals() const;

 private:
  /// `partition`'s count of `segment`, read from the store on first use.
  [[nodiscard]] core::Result<int64_t*> count(int32_t partition, const std::string& segment);

  RocksStore& store_;
  std::map<int32_t, std::map<std::string, int64_t>> counts_;
};

/// Brings a state dir without kMembersByPartition up to it: counts every stored customer's
/// segments per partition (murmur2 of the id over the stored `partitions` count; one full scan)
/// and stores the counts with the marker in one commit. A state dir segd wrote before counts were
/// kept per partition starts with exact counts this way. No-op
/// once marked. Errors: storage errors.
[[nodiscard]] core::Result<void> count_members_by_partition(RocksStore& store);

}  // namespace segd::io
