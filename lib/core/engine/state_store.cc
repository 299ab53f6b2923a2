#include "core/engine/state_store.h"

#include <iterator>

namespace segd::core {
namespace {

template <typename T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

}  // namespace

void BatchDelta::append(BatchDelta&& other) {
  move_append(customers_put, other.customers_put);
  move_append(customers_deleted, other.customers_deleted);
  move_append(timers_put, other.timers_put);
  move_append(timers_deleted, other.timers_deleted);
  move_append(stream_times, other.stream_times);
  move_append(positions, other.positions);
  move_append(outbox, other.outbox);
}

}  // namespace segd::core
