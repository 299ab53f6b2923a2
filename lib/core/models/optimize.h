#pragma once

#include <functional>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/models/fit_options.h"

namespace segd::core::models {

/// A maximum found by maximize_log_params.
struct LogParamMaximum {
  std::vector<double> params;  ///< In natural (not log) scale.
  double value = 0.0;          ///< Objective at `params`.
  int evals = 0;               ///< Objective evaluations used.
};

/// Objective over natural-scale parameters; must be deterministic and must not throw.
using LogParamObjective = std::function<double(std::span<const double>)>;

/// Maximizes `objective` over positive parameters with NLopt LN_NELDERMEAD, searching in
/// log-parameter space inside [options.min_param, options.max_param]. Starts from `start`
/// (natural scale, clamped into the bounds). Non-finite objective values count as -infinity.
/// Errors: `fit_failed` when NLopt reports a failure, hits max_evals, or ends on a non-finite
/// value. Pure and thread-safe (a new NLopt object per call).
[[nodiscard]] Result<LogParamMaximum> maximize_log_params(const LogParamObjective& objective,
                                                          std::span<const double> start,
                                                          const FitOptions& options);

}  // namespace segd::core::models
