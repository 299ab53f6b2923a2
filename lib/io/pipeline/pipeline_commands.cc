// Pipeline: commands run on the pipeline thread for the admin API (erasure, rule reload).
#include <algorithm>
#include <future>

#include "core/common/partitioner.h"
#include "io/pipeline/pipeline.h"

namespace segd::io {

core::Result<void> Pipeline::execute(const std::function<void(Pipeline&)>& fn,
                                     std::chrono::milliseconds wait) {
  std::promise<bool> ran;
  std::future<bool> done = ran.get_future();
  {
    std::lock_guard lock(commands_mutex_);
    if (commands_stopped_) {
      return core::fail("shutting_down", "segd is stopping; try again once it runs");
    }
    commands_.push_back({&fn, &ran});
  }
  if (done.wait_for(wait) != std::future_status::ready) {
    std::lock_guard lock(commands_mutex_);
    const auto queued = std::find_if(commands_.begin(), commands_.end(),
                                     [&](const Command& c) { return c.ran == &ran; });
    if (queued != commands_.end()) {
      commands_.erase(queued);  // Withdrawn: it never runs.
      return core::fail("pipeline_busy",
                        "the pipeline did not take the command within " +
                            std::to_string(wait.count()) +
                            " ms (it runs commands between batches; a batch may be waiting for "
                            "a commit, for dead letters or for a refit: see the log); nothing "
                            "was done, try again");
    }
    // The pipeline thread has taken it: it runs now.
  }
  if (!done.get()) {
    return core::fail("shutting_down", "segd is stopping; try again once it runs");
  }
  return {};
}

void Pipeline::run_commands() {
  std::vector<Command> commands;
  {
    std::lock_guard lock(commands_mutex_);
    commands.swap(commands_);
  }
  for (const Command& c : commands) {
    (*c.fn)(*this);
    c.ran->set_value(true);
  }
}

void Pipeline::stop_commands() {
  std::lock_guard lock(commands_mutex_);
  commands_stopped_ = true;
  for (const Command& c : commands_) {
    c.ran->set_value(false);
  }
  commands_.clear();
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
  uncounted_changes_ = true;
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
