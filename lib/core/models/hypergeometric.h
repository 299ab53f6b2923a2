#pragma once

namespace segd::core::models {

/// Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real z < 1.
///
/// `one_minus_z` must equal 1 - z; passing it separately keeps full relative precision when z is
/// within rounding of 1 (for example z = t / (alpha + T + t) with a huge t).
/// Method: the Gauss series for 0 <= z <= 0.75 (or when c - a - b is large, so the series still
/// converges quickly), the linear 1 - z connection formula otherwise (with linear interpolation in
/// c when c - a - b is within 1e-5 of an integer, where the two terms have cancelling poles), and
/// the Pfaff transformation for z < 0. c must not be a non-positive integer (CHECKed).
/// Pure, thread-safe.
[[nodiscard]] double hyp2f1(double a, double b, double c, double z, double one_minus_z);

/// Same as above with one_minus_z = 1 - z.
[[nodiscard]] double hyp2f1(double a, double b, double c, double z);

}  // namespace segd::core::models
