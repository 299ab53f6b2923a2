// Pipeline: commands run on the pipeline thread for the admin API (erasure, rule reload).
#include <future>

#include "core/common/partitioner.h"
#include "io/pipeline/pipeline.h"

namespace segd::io {

void Pipeline::execute(const std::function<void(Pipeline&)>& fn) {
  std::promise<void> done;
  {
    std::lock_guard lock(commands_mutex_);
    commands_.push_back([&] {
      fn(*this);
      done.set_value();
    });
  }
  done.get_future().wait();
}

void Pipeline::run_commands() {
  std::vector<std::function<void()>> commands;
  {
    std::lock_guard lock(commands_mutex_);
    commands.swap(commands_);
  }
  for (auto& c : commands) {
    c();
  }
}

core::Result<std::optional<std::vector<std::string>>> Pipeline::erase(const std::string& id) {
  if (config_.inputs.empty() || !partition_counts_.contains(config_.inputs.front().name)) {
    return core::fail("not_ready", "no partitions assigned yet");
  }
  const auto p = core::partition_for_key(id, partition_counts_.at(config_.inputs.front().name));
  auto it = processors_.find(p.value());
  if (it == processors_.end()) {
    return core::fail("not_assigned", "partition " + std::to_string(p.value()) +
                                          " is not assigned to this instance");
  }
  auto erased = it->second->erase(id);
  if (!erased) {
    return erased;
  }
  ++batch_events_;  // Make the commit happen even without input.
  if (auto committed = commit_and_wait(); !committed) {
    return std::unexpected(committed.error());
  }
  return erased;
}

core::Result<void> Pipeline::replace_rules(std::shared_ptr<const core::RuleSet> rules) {
  if (auto committed = commit_and_wait(); !committed) {
    return committed;
  }
  rules_ = std::move(rules);
  for (auto& [partition, processor] : processors_) {
    processor->set_rules(rules_);
  }
  return {};
}

}  // namespace segd::io
