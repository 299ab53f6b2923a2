#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/engine/scorer.h"
#include "core/models/model_snapshot.h"
#include "core/scoring/trainer.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// A stored model version, ready to score, and the stream time from which it is active.
struct ActiveModel {
  int64_t active_from_ms = 0;
  int64_t trained_as_of_ms = 0;  ///< Stream time of the state it was trained on.
  std::shared_ptr<const core::Scorer> scorer;
};

/// Every model version in the store, oldest first. Errors: storage, corrupt snapshots.
[[nodiscard]] core::Result<std::vector<ActiveModel>> load_models(RocksStore& store);

/// The version that scores a partition at `stream_time_ms`: the newest of `models` (oldest first)
/// active by then, as the engine activates them; NoModel (version 0) when none is.
[[nodiscard]] std::shared_ptr<const core::Scorer> scorer_at(const std::vector<ActiveModel>& models,
                                                            int64_t stream_time_ms);

/// Which stored customers a refit trains on, by customer_id; empty: all of them.
using TrainingFilter = std::function<bool(std::string_view customer_id)>;

/// Trains the next version on `customers` (those `include` takes) evaluated at `as_of`,
/// continuing the newest stored version so that cluster ids stay stable; active from `as_of`
/// unless the caller moves it. The scan is streamed in key order (no state is held) and only
/// scalar fields are read, so CustomerFields::kScalars suffices. Writes nothing: it may run on
/// another thread while commits go on. Errors: storage, training.
[[nodiscard]] core::Result<core::models::ModelSnapshot> train_next(
    RocksStore& store,
    CustomerScan customers,
    core::TimestampMs as_of,
    const core::scoring::TrainOptions& options,
    const TrainingFilter& include = {});

/// Stores `snapshot` under its version. Errors: storage.
[[nodiscard]] core::Result<void> store_model(RocksStore& store,
                                             const core::models::ModelSnapshot& snapshot);

/// train_next() on every customer stored now, then store_model(): the version is active from
/// `as_of`. Errors: storage, training.
[[nodiscard]] core::Result<core::models::ModelSnapshot> refit_and_store(
    RocksStore& store, core::TimestampMs as_of, const core::scoring::TrainOptions& options);

}  // namespace segd::io
