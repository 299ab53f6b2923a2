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
  const PipelineSnapshot now = stats_.snapshot();
  if (auto owned = check_owned(now, id); !owned) {
    return std::unexpected(owned.error());
  }
  auto erased = processors_.at(core::partition_for_key(id, now.partition_count).value())->erase(id);
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
