#include "io/state/fresh_customers.h"

#include <functional>

namespace segd::io {
namespace {

uint64_t id_hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

}  // namespace

void FreshCustomers::start(size_t capacity) {
  const std::lock_guard lock(mutex_);
  answering_ = capacity > 0;
  capacity_ = capacity;
  written_.clear();
}

void FreshCustomers::written(std::span<const std::string_view> ids) {
  const std::lock_guard lock(mutex_);
  if (!answering_) {
    return;
  }
  for (const std::string_view id : ids) {
    written_.insert(id_hash(id));
  }
  if (written_.size() > capacity_) {
    answering_ = false;
    written_ = {};  // Its memory goes too.
  }
}

bool FreshCustomers::certainly_absent(std::string_view id) const {
  const uint64_t hash = id_hash(id);
  const std::lock_guard lock(mutex_);
  return answering_ && !written_.contains(hash);
}

}  // namespace segd::io
