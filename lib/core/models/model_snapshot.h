#pragma once

#include <cstdint>
#include <vector>

#include "core/common/result.h"
#include "core/models/bgnbd.h"
#include "core/models/gamma_gamma.h"
#include "core/models/kmeans_pp.h"
#include "core/models/rfm.h"
#include "core/models/standardizer.h"

namespace segd::core::models {

/// The model time unit of a snapshot's BG/NBD fit (see MODELS.md "Time unit").
enum class TimeUnit : uint8_t { kDay, kWeek };

/// Length of one model time unit in days: 1 or 7.
[[nodiscard]] double days_per_unit(TimeUnit unit);

/// RFM quintile boundaries over the customers with at least one purchase.
struct RfmCuts {
  QuintileCuts recency{};    ///< Of days_since_last_purchase (lower is better).
  QuintileCuts frequency{};  ///< Of orders_total.
  QuintileCuts monetary{};   ///< Of monetary_total.

  bool operator==(const RfmCuts&) const = default;
};

/// What the fits saw, for logs and `segctl fit`.
struct FitDiagnostics {
  double bgnbd_log_likelihood = 0.0;  ///< Total log-likelihood at the fitted BG/NBD params.
  int64_t bgnbd_n = 0;                ///< Customers in the BG/NBD fit.
  int64_t gamma_gamma_n = 0;          ///< Repeat customers in the Gamma-Gamma fit.

  bool operator==(const FitDiagnostics&) const = default;
};

/// One immutable, versioned model: everything scoring reads, plus the streaming k-means weights
/// the next refit continues from. A value type; serialized by io::encode_model_snapshot.
struct ModelSnapshot {
  int64_t version = 0;         ///< 1, 2, ... (0 = no model).
  int64_t active_from_ms = 0;  ///< Stream time at which this version becomes active.
  /// Stream time of the customer state it was trained on: active_from_ms when trained inline,
  /// earlier when the daemon trained it in the background while processing went on.
  int64_t trained_as_of_ms = 0;
  TimeUnit time_unit = TimeUnit::kDay;
  BgNbdParams bgnbd;
  GammaGammaParams gamma_gamma;
  Standardizer standardizer;             ///< Of the clustering vector (d dimensions).
  std::vector<Point> centroids;          ///< k x d, standardized space; index = cluster id.
  std::vector<double> centroid_weights;  ///< k streaming k-means weights (decayed counts).
  RfmCuts rfm;
  FitDiagnostics diagnostics;

  bool operator==(const ModelSnapshot&) const = default;
};

/// Checks the invariants scoring relies on: version >= 1; BG/NBD and Gamma-Gamma parameters
/// finite and > 0; standardizer mean/scale of one dimension d >= 1, scales finite and > 0;
/// k >= 1 centroids of dimension d, all finite; k weights, finite and >= 0; RFM cuts finite and
/// non-decreasing. Errors: `invalid_model` with the failing part in the message.
[[nodiscard]] Result<void> validate_snapshot(const ModelSnapshot& snapshot);

}  // namespace segd::core::models
