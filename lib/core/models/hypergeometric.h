#pragma once

namespace segd::core::models {

/// A value of 2F1 and what it cost: the Gauss-series terms summed to get it.
struct Hyp2f1Sum {
  double value = 0.0;  ///< NaN when the evaluation failed (see hyp2f1_sum).
  int terms = 0;       ///< Terms summed, over all the series used.
};

/// Most terms one Gauss series may take; a series still going then is a failure (NaN).
inline constexpr int kHyp2f1MaxTerms = 1'000'000;

/// Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real z < 1.
///
/// `one_minus_z` must equal 1 - z; passing it separately keeps full relative precision when z is
/// within rounding of 1 (for example z = t / (alpha + T + t) with a huge t).
/// Method: the Gauss series for 0 <= z <= 0.75 (or when c - a - b is large, so the series still
/// converges quickly), the linear 1 - z connection formula otherwise (with linear interpolation in
/// c when c - a - b is within 1e-5 of an integer, where the two terms have cancelling poles), and
/// the Pfaff transformation for z < 0. c must not be a non-positive integer (CHECKed).
/// Returns NaN in `value`, never a silently wrong number, when a series has not converged within
/// `max_terms` terms (at most kHyp2f1MaxTerms), or when its terms, or the two terms of the
/// connection formula, cancel so much that more than 6 of the 16 digits are lost (both happen
/// for large parameters, e.g. 2F1(1e6, 1e3; 1e6; 0.9)). Pure, thread-safe.
[[nodiscard]] Hyp2f1Sum hyp2f1_sum(
    double a, double b, double c, double z, double one_minus_z, int max_terms = kHyp2f1MaxTerms);

/// hyp2f1_sum(a, b, c, z, one_minus_z).value: 2F1, or NaN where that fails.
[[nodiscard]] double hyp2f1(double a, double b, double c, double z, double one_minus_z);

/// Same as above with one_minus_z = 1 - z.
[[nodiscard]] double hyp2f1(double a, double b, double c, double z);

/// exp(log_scale) * 2F1(a, b; c; z) by the Gauss series alone, for 0 <= z < 1 and c not a
/// non-positive integer. The partial sums are rescaled as they grow, so the result is right
/// whenever it is representable, even where 2F1 itself overflows and exp(log_scale) underflows
/// (e.g. w^(a-1) * 2F1(a+b-1, a-1; a+b; 1-w) with a = 1e5). The stopping rule is hyp2f1's; NaN
/// when it has not stopped within `max_terms` (<= kHyp2f1MaxTerms) or cancellation loses more
/// than 6 digits. Pure, thread-safe.
[[nodiscard]] Hyp2f1Sum scaled_gauss_series(
    double a, double b, double c, double z, double log_scale, int max_terms);

}  // namespace segd::core::models
