#pragma once

#include <memory>
#include <vector>

#include "core/engine/scorer.h"
#include "core/models/model_snapshot.h"
#include "core/scoring/trainer.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// A stored model version, ready to score, and the stream time from which it is active.
struct ActiveModel {
  int64_t active_from_ms = 0;
  std::shared_ptr<const core::Scorer> scorer;
};

/// Every model version in the store, oldest first. Errors: storage, corrupt snapshots.
[[nodiscard]] core::Result<std::vector<ActiveModel>> load_models(RocksStore& store);

/// The newest stored model's scorer, or NoModel (version 0) when none is stored.
[[nodiscard]] core::Result<std::shared_ptr<const core::Scorer>> latest_scorer(RocksStore& store);

/// Trains a new version on every stored customer as of `as_of` (continuing the newest stored
/// version, so cluster ids stay stable), stores it active from `as_of`, and returns it. Reads all
/// customer states into memory (about 2 KB each). Errors: storage, training.
[[nodiscard]] core::Result<core::models::ModelSnapshot> refit_and_store(
    RocksStore& store, core::TimestampMs as_of, const core::scoring::TrainOptions& options);

}  // namespace segd::io
