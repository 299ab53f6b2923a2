#include "io/replay/model_store.h"

#include <ranges>

#include "core/scoring/model_scorer.h"
#include "io/state/model_codec.h"

namespace segd::io {
namespace {

core::Result<std::optional<core::models::ModelSnapshot>> latest_snapshot(RocksStore& store) {
  auto latest = store.latest_model();
  if (!latest) {
    return std::unexpected(latest.error());
  }
  if (!latest->has_value()) {
    return std::optional<core::models::ModelSnapshot>{};
  }
  auto snapshot = decode_model_snapshot((*latest)->second);
  if (!snapshot) {
    return std::unexpected(snapshot.error());
  }
  return std::optional<core::models::ModelSnapshot>{std::move(*snapshot)};
}

}  // namespace

core::Result<std::vector<ActiveModel>> load_models(RocksStore& store) {
  auto latest = store.latest_model();
  if (!latest) {
    return std::unexpected(latest.error());
  }
  std::vector<ActiveModel> out;
  const int64_t newest = latest->has_value() ? (*latest)->first : 0;
  for (int64_t version = 1; version <= newest; ++version) {
    auto bytes = store.model(version);
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    if (!bytes->has_value()) {
      continue;
    }
    auto snapshot = decode_model_snapshot(**bytes);
    if (!snapshot) {
      return std::unexpected(snapshot.error());
    }
    const int64_t active_from = snapshot->active_from_ms;
    const int64_t trained_as_of = snapshot->trained_as_of_ms;
    auto scorer = core::scoring::ModelScorer::create(std::move(*snapshot));
    if (!scorer) {
      return std::unexpected(scorer.error());
    }
    out.push_back({active_from, trained_as_of, *scorer});
  }
  return out;
}

std::shared_ptr<const core::Scorer> scorer_at(const std::vector<ActiveModel>& models,
                                              int64_t stream_time_ms) {
  // As PartitionProcessor::add_model(): the newest version whose activation time has passed.
  for (const ActiveModel& m : std::views::reverse(models)) {
    if (m.active_from_ms <= stream_time_ms) {
      return m.scorer;
    }
  }
  return std::make_shared<core::NoModel>();
}

core::Result<core::models::ModelSnapshot> train_next(RocksStore& store,
                                                     CustomerScan customers,
                                                     core::TimestampMs as_of,
                                                     const core::scoring::TrainOptions& options,
                                                     const TrainingFilter& include) {
  // Streamed in key (customer_id) order: no copy of the population is held.
  core::scoring::TrainingSet set;
  auto read = customers.for_each([&](const core::CustomerState& c) -> core::Result<void> {
    if (!include || include(c.customer_id)) {
      core::scoring::add_to_training_set(set, c, as_of, options.time_unit);
    }
    return {};
  });
  if (!read) {
    return std::unexpected(read.error());
  }
  auto previous = latest_snapshot(store);
  if (!previous) {
    return std::unexpected(previous.error());
  }
  return core::scoring::train(set, as_of, options, previous->has_value() ? &**previous : nullptr);
}

core::Result<void> store_model(RocksStore& store, const core::models::ModelSnapshot& snapshot) {
  return store.put_model(snapshot.version, encode_model_snapshot(snapshot));
}

core::Result<core::models::ModelSnapshot> refit_and_store(
    RocksStore& store, core::TimestampMs as_of, const core::scoring::TrainOptions& options) {
  auto snapshot = train_next(store, store.scan_customers(CustomerFields::kScalars), as_of, options);
  if (!snapshot) {
    return snapshot;
  }
  if (auto put = store_model(store, *snapshot); !put) {
    return std::unexpected(put.error());
  }
  return snapshot;
}

}  // namespace segd::io
