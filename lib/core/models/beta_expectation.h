#pragma once

namespace segd::core::models {

/// E_p[(1 - (1 + p u)^-k) / p] for p ~ Beta(a, b), by double-exponential (tanh-sinh) quadrature:
/// the BG/NBD conditional-expectation bracket of FHL 2005 eq. 10 (with b = b + x, k = r + x), whose
/// integrand falls from k u at p = 0 to 1 - (1 + u)^-k at p = 1. It needs no hypergeometric
/// series, so it holds where every series form cancels or runs too long; slower than they are
/// (hundreds to thousands of exp/log evaluations), it is the last resort, or the first where every
/// series would run long. It integrates the integrand less its chord between p = 0 and p = 1 and
/// adds the chord's share exactly, so Beta mass crowding into p ~ 0 or 1 beyond the quadrature's
/// reach (a or b of 1e-6) carries nothing. A result is returned once two successive step sizes
/// agree within 1e-10 relative; NaN if they never do. Requires a, b, k, u > 0. Pure.
[[nodiscard]] double beta_bracket_by_quadrature(double a, double b, double k, double u);

}  // namespace segd::core::models
