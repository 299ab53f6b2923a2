#pragma once

namespace segd::core::models {

/// E_p[(1 - (1 + p u)^-k) / p] for p ~ Beta(a, b), by double-exponential (tanh-sinh) quadrature:
/// the BG/NBD conditional-expectation bracket of FHL 2005 eq. 10 (with b = b + x, k = r + x), whose
/// integrand falls from k u at p = 0 to 1 - (1 + u)^-k at p = 1. It needs no hypergeometric
/// series, so it holds where every series form cancels or runs too long; slower than they are
/// (hundreds to thousands of exp/log evaluations), it is the last resort. The same sums integrate
/// the Beta density, and a result is returned only when that comes to 1 within 1e-9 and two
/// successive step sizes agree within 1e-10 relative; NaN otherwise (mass beyond the quadrature's
/// reach, as for a or b of about 1e-3 and below). Requires a, b, k, u > 0. Pure.
[[nodiscard]] double beta_bracket_by_quadrature(double a, double b, double k, double u);

}  // namespace segd::core::models
