#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "core/models/bgnbd.h"
#include "core/models/gamma_gamma.h"

/// Deterministic random numbers and model simulators for tests and benchmarks. Every sampler is
/// written here (std:: distributions are implementation-defined), so a seed gives the same
/// draws on every platform and library version. Not thread-safe per SimRng instance.
namespace segd::core::models {

/// xoshiro256** seeded through splitmix64.
class SimRng {
 public:
  /// Seeds the four state words from `seed` with splitmix64.
  explicit SimRng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  /// Next 64 random bits.
  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform on the open interval (0, 1), 53 random bits.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  /// Exponential with rate 1.
  double exponential() { return -std::log(uniform()); }

  /// Standard normal (Box-Muller; the second value is discarded for simplicity).
  double normal() {
    return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
  }

  /// Gamma(shape, rate 1) by Marsaglia & Tsang (2000); shape < 1 via the U^(1/shape) boost.
  double gamma(double shape) {
    if (shape < 1.0) {
      return gamma(shape + 1.0) * std::pow(uniform(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      const double z = normal();
      const double v = 1.0 + c * z;
      if (v <= 0.0) {
        continue;
      }
      const double v3 = v * v * v;
      if (std::log(uniform()) < 0.5 * z * z + d - d * v3 + d * std::log(v3)) {
        return d * v3;
      }
    }
  }

  /// Beta(a, b) as G_a / (G_a + G_b).
  double beta(double a, double b) {
    const double ga = gamma(a);
    return ga / (ga + gamma(b));
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<uint64_t, 4> state_{};
};

/// One BG/NBD customer observed for T time units after the first purchase: lambda ~ Gamma(r,
/// alpha), p ~ Beta(a, b); repeat purchases arrive as a Poisson(lambda) process and after each
/// one the customer drops out with probability p.
inline RfmSummary simulate_bgnbd_customer(const BgNbdParams& params, double T, SimRng& rng) {
  const double lambda = rng.gamma(params.r) / params.alpha;
  const double p = rng.beta(params.a, params.b);
  RfmSummary summary{0.0, 0.0, T};
  double t = 0.0;
  while (true) {
    t += rng.exponential() / lambda;
    if (t > T) {
      break;
    }
    summary.x += 1.0;
    summary.t_x = t;
    if (rng.uniform() < p) {
      break;
    }
  }
  return summary;
}

/// Mean value of x >= 1 transactions for one Gamma-Gamma customer: nu ~ Gamma(q, rate v), the
/// sum of x values ~ Gamma(p x, rate nu).
inline double simulate_mean_value(const GammaGammaParams& params, double x, SimRng& rng) {
  const double nu = rng.gamma(params.q) / params.v;
  return rng.gamma(params.p * x) / (nu * x);
}

}  // namespace segd::core::models
