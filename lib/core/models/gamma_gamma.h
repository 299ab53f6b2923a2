#pragma once

#include <span>

#include "core/common/result.h"
#include "core/models/fit_options.h"

/// Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: using
/// iso-value curves for customer base analysis"; Fader & Hardie 2013 note). Pure, thread-safe.
namespace segd::core::models {

/// Transaction values z ~ Gamma(shape p, rate nu); nu ~ Gamma(shape q, rate v) across customers.
/// All > 0. The population mean spend p*v/(q-1) exists when q > 1.
struct GammaGammaParams {
  double p = 0.0;
  double q = 0.0;
  double v = 0.0;

  bool operator==(const GammaGammaParams&) const = default;
};

/// One customer's spend: x transactions with average value mean_value (> 0).
struct SpendSummary {
  double x = 0.0;
  double mean_value = 0.0;

  bool operator==(const SpendSummary&) const = default;
};

/// Result of fit_gamma_gamma.
struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0.0;  ///< Total log-likelihood over the customers used.
  size_t n = 0;                 ///< Customers used (those with x > 0).
};

/// Log-density of the observed mean value given x (x > 0, mean_value > 0):
/// lgamma(px+q) - lgamma(px) - lgamma(q) + q log v + (px-1) log m + px log x - (px+q) log(v + x m).
[[nodiscard]] double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                                const SpendSummary& customer);

/// Sum over customers with x > 0 (the others carry no spend information).
[[nodiscard]] double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                                std::span<const SpendSummary> customers);

/// E[Z | x, mean_value] = p (v + x m) / (p x + q - 1), a weighted average of the population mean
/// p v / (q - 1) and the customer's own mean m, taken as 0 when it is negative (refunds beyond the
/// purchases): never negative. For x == 0 it is the population mean. Returns
/// +infinity when the expectation does not exist (p x + q <= 1, e.g. x == 0 and q <= 1).
[[nodiscard]] double expected_order_value(const GammaGammaParams& params,
                                          double x,
                                          double mean_value);

/// Maximum-likelihood fit with NLopt Nelder-Mead on log(p, q, v), using the customers with
/// x > 0, in units of their mean value (v is scaled back; p and q do not depend on the money
/// unit, so options' bounds on v hold for any currency). lgamma terms are computed once per
/// distinct x. Deterministic start: p = 1, q = 2, v = mean of the customers' mean values.
/// Errors: `empty_input` (no customer with x > 0); `invalid_summary` (non-finite values,
/// x > 0 with mean_value <= 0); `fit_failed` (no convergence or an NLopt failure).
[[nodiscard]] Result<GammaGammaFit> fit_gamma_gamma(std::span<const SpendSummary> customers,
                                                    const FitOptions& options = {});

}  // namespace segd::core::models
