#include "io/replay/customer_view.h"

#include <algorithm>

#include "core/common/partitioner.h"
#include "core/features/feature_values.h"
#include "io/codec/segment_change_json.h"

namespace segd::io {

CustomerView::CustomerView(RocksStore& store,
                           std::shared_ptr<const core::RuleSet> rules,
                           std::vector<std::shared_ptr<const core::Scorer>> scorers,
                           std::vector<int64_t> stream_times)
    : store_(&store),
      rules_(std::move(rules)),
      scorers_(std::move(scorers)),
      stream_times_(std::move(stream_times)) {}

core::Result<std::vector<int64_t>> partition_stream_times(RocksStore& store) {
  auto partitions = store.partition_count();
  if (!partitions) {
    return std::unexpected(partitions.error());
  }
  const int32_t count = partitions->value_or(1);
  std::vector<int64_t> stream_times;
  for (int32_t p = 0; p < count; ++p) {
    auto t = store.stream_time(core::PartitionId{p});
    if (!t) {
      return std::unexpected(t.error());
    }
    stream_times.push_back(t->value_or(0));
  }
  return stream_times;
}

core::Result<CustomerView> CustomerView::create(RocksStore& store,
                                                std::shared_ptr<const core::RuleSet> rules,
                                                const std::vector<ActiveModel>& models) {
  auto stream_times = partition_stream_times(store);
  if (!stream_times) {
    return std::unexpected(stream_times.error());
  }
  std::vector<std::shared_ptr<const core::Scorer>> scorers;
  for (const int64_t t : *stream_times) {
    scorers.push_back(scorer_at(models, t));
  }
  return CustomerView(store, std::move(rules), std::move(scorers), std::move(*stream_times));
}

std::string CustomerView::render(const core::CustomerState& state) const {
  const auto p =
      core::partition_for_key(state.customer_id, static_cast<int32_t>(stream_times_.size()));
  const auto partition = static_cast<size_t>(p.value());
  const core::TimestampMs at{std::max(stream_times_[partition], state.last_event_ms)};
  const core::FeatureVector features = core::compute_features(state, at);
  const core::ScoreVector scores = scorers_[partition]->score(state, features, at);
  std::optional<std::vector<core::SegmentChange>> why;
  if (rules_) {
    why = rules_->explain(state, features, scores, at);
  }
  return encode_customer_json(state, features, scores, why);
}

core::Result<std::optional<std::string>> CustomerView::inspect(const std::string& customer_id) {
  auto state = store_->get_customer(customer_id);
  if (!state) {
    return std::unexpected(state.error());
  }
  if (!state->has_value()) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{render(**state)};
}

core::Result<void> CustomerView::export_all(const std::function<void(const std::string&)>& line) {
  return store_->for_each_customer([&](const core::CustomerState& state) -> core::Result<void> {
    line(render(state));
    return {};
  });
}

}  // namespace segd::io
