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

BatchDelta BatchDelta::merge(std::vector<BatchDelta>&& parts) {
  BatchDelta out;
  auto reserve = [&parts](auto& list, auto member) {
    size_t n = 0;
    for (const BatchDelta& p : parts) {
      n += (p.*member).size();
    }
    list.reserve(n);
  };
  reserve(out.customers_put, &BatchDelta::customers_put);
  reserve(out.customers_deleted, &BatchDelta::customers_deleted);
  reserve(out.timers_put, &BatchDelta::timers_put);
  reserve(out.timers_deleted, &BatchDelta::timers_deleted);
  reserve(out.stream_times, &BatchDelta::stream_times);
  reserve(out.positions, &BatchDelta::positions);
  reserve(out.outbox, &BatchDelta::outbox);
  for (BatchDelta& p : parts) {
    out.append(std::move(p));
  }
  return out;
}

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
