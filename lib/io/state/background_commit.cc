#include "io/state/background_commit.h"

#include "io/log/log.h"

namespace segd::io {

BackgroundCommit::~BackgroundCommit() {
  if (!thread_.joinable()) {
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;  // run() finishes a task handed over before it stops.
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundCommit::hand_over(Task task) {
  {
    const std::lock_guard lock(mutex_);
    task_ = std::move(task);
    result_.reset();
  }
  busy_ = true;
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
  }
  changed_.notify_all();
}

core::Result<void> BackgroundCommit::wait() {
  if (failure_) {
    return std::unexpected(*failure_);
  }
  if (!busy_) {
    return {};
  }
  core::Result<void> r;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return result_.has_value(); });
    r = std::move(*result_);
    result_.reset();
  }
  busy_ = false;
  parts_.clear();
  if (!r) {
    failure_ = r.error();
  }
  return r;
}

void BackgroundCommit::run() {
  name_this_thread("segd-commit");
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return task_.has_value() || stopping_; });
    if (!task_) {
      return;  // Stopping, with nothing handed over.
    }
    Task task = std::move(*task_);
    task_.reset();
    lock.unlock();
    core::Result<void> r = task();
    lock.lock();
    result_ = std::move(r);
    changed_.notify_all();
  }
}

}  // namespace segd::io
