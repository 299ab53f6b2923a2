#pragma once

namespace segd::gen {

// Transcendental functions built only from IEEE 754 basic operations (+, -, *, /) and the exact
// std::frexp / std::ldexp / std::floor, so every platform and libm gives the same bits. The
// generator's output bytes depend on them; std::log/std::exp/std::pow may differ by an ulp.

/// Natural logarithm of a finite `x > 0` (CHECKed). Accurate to about 1 ulp.
[[nodiscard]] double det_log(double x);

/// e^x. Returns 0 below -745 and +inf above 709.
[[nodiscard]] double det_exp(double x);

/// base^exponent for `base >= 0` (CHECKed); 0^e is 0 for e > 0 and 1 for e == 0.
[[nodiscard]] double det_pow(double base, double exponent);

}  // namespace segd::gen
