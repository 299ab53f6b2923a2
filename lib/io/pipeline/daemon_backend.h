#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "io/admin/admin_backend.h"
#include "io/pipeline/erasure_writer.h"
#include "io/pipeline/pipeline.h"

namespace segd::io {

/// The daemon's AdminBackend: reads go to the stats snapshot and RocksDB (thread-safe), mutations
/// (erasure, rule reload) run on the pipeline thread between messages via Pipeline::execute().
/// With an ErasureWriter, an erasure is written to the erasure topic instead (any instance
/// accepts it; the partition's owner applies it when it reads it).
class DaemonBackend final : public AdminBackend {
 public:
  DaemonBackend(Pipeline& pipeline,
                RocksStore& store,
                PipelineStats& stats,
                std::string rules_file,
                std::shared_ptr<const core::RuleSet> rules,
                ErasureWriter* erasures = nullptr);

  [[nodiscard]] PipelineSnapshot pipeline() const override { return stats_.snapshot(); }
  [[nodiscard]] StoreStats store() const override { return store_.stats(); }
  [[nodiscard]] ModelInfo model() const override;
  [[nodiscard]] bool ready() const override;
  [[nodiscard]] core::Result<std::optional<std::string>> customer_json(
      const std::string& id) override;
  [[nodiscard]] core::Result<std::vector<SegmentSummary>> segments() override;
  [[nodiscard]] core::Result<ErasureResult> erase_customer(const std::string& id,
                                                           RequestTime arrived) override;
  [[nodiscard]] core::Result<std::vector<SegmentSummary>> reload_rules(
      RequestTime arrived) override;

 private:
  [[nodiscard]] std::shared_ptr<const core::RuleSet> rules() const;
  /// reload_rules() but for counting the outcome in the stats.
  [[nodiscard]] core::Result<std::vector<SegmentSummary>> apply_rules_file(RequestTime arrived);

  Pipeline& pipeline_;
  RocksStore& store_;
  PipelineStats& stats_;
  std::string rules_file_;
  mutable std::mutex mutex_;  ///< Guards rules_.
  std::shared_ptr<const core::RuleSet> rules_;
  ErasureWriter* erasures_;
};

}  // namespace segd::io
