#pragma once

#include <span>

#include "core/common/result.h"
#include "core/models/fit_options.h"

/// BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers the
/// easy way"). All times are in one "model time unit" chosen by the caller (weeks in the paper,
/// days in segd); alpha carries that unit. Everything here is pure and thread-safe.
namespace segd::core::models {

/// One customer's purchase history since (and excluding) the first purchase.
struct RfmSummary {
  double x = 0.0;    ///< Number of repeat purchases (>= 0).
  double t_x = 0.0;  ///< Time of the last purchase since the first one (0 when x == 0).
  double T = 0.0;    ///< Age: time since the first purchase (>= t_x, > 0).

  bool operator==(const RfmSummary&) const = default;
};

/// lambda ~ Gamma(shape r, rate alpha); dropout probability p ~ Beta(a, b). All > 0.
struct BgNbdParams {
  double r = 0.0;
  double alpha = 0.0;
  double a = 0.0;
  double b = 0.0;

  bool operator==(const BgNbdParams&) const = default;
};

/// Result of fit_bgnbd.
struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0.0;  ///< Total log-likelihood at `params`.
  size_t n = 0;                 ///< Number of customers fitted.
};

/// Log-likelihood of one customer, log L(r, alpha, a, b | x, t_x, T) (FHL 2005 eq. 6), computed
/// with lgamma and a log-sum-exp of its two terms. Finite for any valid summary.
[[nodiscard]] double bgnbd_log_likelihood(const BgNbdParams& params, const RfmSummary& customer);

/// Sum of bgnbd_log_likelihood over `customers`.
[[nodiscard]] double bgnbd_log_likelihood(const BgNbdParams& params,
                                          std::span<const RfmSummary> customers);

/// P(alive | x, t_x, T) (FHL 2005 eq. 11 via the note "Computing P(alive)"). Exactly 1 for
/// x == 0; underflows cleanly to 0 (never NaN) when the odds of having dropped out are huge.
[[nodiscard]] double p_alive(const BgNbdParams& params, double x, double t_x, double T);

/// E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units (FHL 2005 eq. 10), using
/// the Gauss hypergeometric function (see hypergeometric.h; MODELS.md for the forms used). For
/// a <= 1 it grows without bound as t -> infinity, as the model implies. Returns 0 for t <= 0 and
/// when p_alive is 0. Ordinary parameters take tens of series terms; degenerate fits with huge
/// a and b (a, b up to 1e6) stay finite with at most a few 10,000 terms. Where no series form
/// converges within its term cap or every result falls outside the model's bounds (large r with
/// a < 1.5, r >= ~1e3, b >> a with alpha + T << t), the bracket is integrated numerically
/// (beta_bracket_by_quadrature); NaN, never a wrong number, only if that fails too.
[[nodiscard]] double expected_purchases(
    const BgNbdParams& params, double t, double x, double t_x, double T);

/// expected_purchases and what it cost.
struct ExpectedPurchases {
  double value = 0.0;    ///< As expected_purchases returns it (NaN where it fails).
  int series_terms = 0;  ///< 2F1 series terms summed; bounded, so it measures the run time.
};

/// expected_purchases with the number of series terms it took (tests, diagnostics).
[[nodiscard]] ExpectedPurchases expected_purchases_counted(
    const BgNbdParams& params, double t, double x, double t_x, double T);

/// E[X(t)]: expected repeat purchases of a new customer in (0, t] (FHL 2005 eq. 9).
[[nodiscard]] double expected_purchases_new(const BgNbdParams& params, double t);

/// P(X(t) = n) for a new customer (FHL 2005 eq. 8, with the closed form of the 2007 note
/// "Deriving an expression for P(X(t) = x)"). The negative-binomial tail in it is summed directly
/// when small, so small probabilities keep full relative precision. 0 for n < 0.
[[nodiscard]] double prob_purchases(const BgNbdParams& params, double t, int n);

/// Maximum-likelihood fit over `customers` with NLopt Nelder-Mead on log(r, alpha, a, b).
/// Identical (x, t_x, T) triples are aggregated with weights first, and lgamma/log terms are
/// computed once per distinct x and distinct time, so 1M customers at day resolution fit in
/// about a second. Deterministic start: r = a = b = 1, alpha = mean T.
/// Errors: `empty_input`; `invalid_summary` (negative or non-finite values, t_x > T, T <= 0);
/// `fit_failed` (no convergence within options.max_evals, or an NLopt failure).
[[nodiscard]] Result<BgNbdFit> fit_bgnbd(std::span<const RfmSummary> customers,
                                         const FitOptions& options = {});

}  // namespace segd::core::models
