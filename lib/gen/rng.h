#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace segd::gen {

/// SplitMix64's output function: a stateless 64-bit mixer used to derive independent seeds.
[[nodiscard]] uint64_t mix64(uint64_t x);

/// xoshiro256** with every sampler the generator needs, written here (not std:: distributions,
/// whose algorithms are implementation-defined) so a seed gives the same stream everywhere.
/// Not thread-safe; cheap to copy (32 bytes).
class Rng {
 public:
  /// Seeds the four state words from a SplitMix64 sequence started at `seed`.
  explicit Rng(uint64_t seed);

  /// The next raw 64-bit output.
  [[nodiscard]] uint64_t next();
  /// Uniform in [0, 1), 53 bits.
  [[nodiscard]] double uniform();
  /// Uniform in (0, 1]; safe to take the log of.
  [[nodiscard]] double uniform_open();
  /// Uniform integer in [lo, hi] (inclusive); requires lo <= hi and a span below 2^53.
  [[nodiscard]] int64_t uniform_int(int64_t lo, int64_t hi);
  /// True with probability p.
  [[nodiscard]] bool chance(double p);
  /// Exponential with the given mean (inverse CDF).
  [[nodiscard]] double exponential(double mean);
  /// Standard normal (Marsaglia's polar method; the second variate is discarded).
  [[nodiscard]] double normal();
  /// An index drawn with probability proportional to `weights` (all >= 0, sum > 0).
  [[nodiscard]] size_t categorical(std::span<const double> weights);

 private:
  std::array<uint64_t, 4> s_{};
};

/// Zipf (discrete power law) over ranks 0..n-1: P(rank k) proportional to 1 / (k + 1)^exponent.
/// Sampling is a binary search over a precomputed CDF: O(log n), deterministic.
class ZipfTable {
 public:
  /// Requires n >= 1 and exponent >= 0.
  ZipfTable(int64_t n, double exponent);

  /// A rank in [0, n).
  [[nodiscard]] int64_t sample(Rng& rng) const;

 private:
  std::vector<double> cdf_;
};

}  // namespace segd::gen
