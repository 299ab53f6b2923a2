#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/scorer.h"
#include "core/segments/rule_set.h"
#include "io/replay/model_store.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// The stored stream time of every partition (meta "partitions" says how many; 1 when absent),
/// 0 for a partition that has none yet.
[[nodiscard]] core::Result<std::vector<int64_t>> partition_stream_times(RocksStore& store);

/// Renders stored customers as the inspect/export JSON, with features and scores evaluated at the
/// stream time of the customer's partition, scores by the model version the engine has active
/// there (so two replays of the same input render identically, and a version stored for later,
/// as by `segctl fit --as-of`, shows only once it is active).
class CustomerView {
 public:
  /// Reads the partition count and stream times from `store`. `rules` (may be null) adds
  /// per-segment explanations; `models` are the stored versions, oldest first.
  [[nodiscard]] static core::Result<CustomerView> create(RocksStore& store,
                                                         std::shared_ptr<const core::RuleSet> rules,
                                                         const std::vector<ActiveModel>& models);

  /// One customer's JSON; nullopt when unknown.
  [[nodiscard]] core::Result<std::optional<std::string>> inspect(const std::string& customer_id);

  /// Calls `line` with every customer's JSON, sorted by customer_id.
  [[nodiscard]] core::Result<void> export_all(const std::function<void(const std::string&)>& line);

 private:
  CustomerView(RocksStore& store,
               std::shared_ptr<const core::RuleSet> rules,
               std::vector<std::shared_ptr<const core::Scorer>> scorers,
               std::vector<int64_t> stream_times);
  [[nodiscard]] std::string render(const core::CustomerState& state) const;

  RocksStore* store_;
  std::shared_ptr<const core::RuleSet> rules_;
  std::vector<std::shared_ptr<const core::Scorer>> scorers_;  ///< Per partition.
  std::vector<int64_t> stream_times_;                         ///< Per partition.
};

}  // namespace segd::io
