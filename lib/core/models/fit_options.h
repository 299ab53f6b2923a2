#pragma once

namespace segd::core::models {

/// Settings for the maximum-likelihood fits (fit_bgnbd, fit_gamma_gamma). The optimizer is NLopt's
/// derivative-free Nelder-Mead (LN_NELDERMEAD) over the logarithms of the parameters.
struct FitOptions {
  /// Relative tolerance on the log-parameters. Default: 1e-8.
  double xtol_rel = 1e-8;
  /// Relative tolerance on the total log-likelihood. Default: 1e-12.
  double ftol_rel = 1e-12;
  /// Objective evaluations before giving up with `fit_failed`. Default: 20000.
  int max_evals = 20000;
  /// Every parameter is kept in [min_param, max_param]. Default: 1e-6 .. 1e6.
  double min_param = 1e-6;
  double max_param = 1e6;
  /// Initial simplex step in log-parameter space. Default: 0.5.
  double initial_step = 0.5;
};

}  // namespace segd::core::models
