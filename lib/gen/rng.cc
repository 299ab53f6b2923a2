#include "gen/rng.h"

#include <algorithm>
#include <cmath>

#include "core/common/check.h"
#include "gen/det_math.h"

namespace segd::gen {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) {
    state += kGolden;
    word = mix64(state);
  }
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::uniform_open() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
  CHECK(lo <= hi);
  const auto span = static_cast<double>(hi - lo + 1);
  const auto offset = static_cast<int64_t>(uniform() * span);
  return std::min(hi, lo + offset);
}

bool Rng::chance(double p) { return uniform() < p; }

double Rng::exponential(double mean) { return -mean * det_log(uniform_open()); }

double Rng::normal() {
  while (true) {
    const double u = 2.0 * uniform() - 1.0;
    const double v = 2.0 * uniform() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) {
      // std::sqrt is correctly rounded by IEEE 754, so it is deterministic.
      return u * std::sqrt(-2.0 * det_log(s) / s);
    }
  }
}

size_t Rng::categorical(std::span<const double> weights) {
  CHECK(!weights.empty());
  double total = 0.0;
  for (double w : weights) {
    total += w;
  }
  CHECK(total > 0.0);
  double x = uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) {
      return i;
    }
    x -= weights[i];
  }
  // Rounding left x just above the last bucket: take the last non-empty one.
  size_t last = weights.size() - 1;
  while (weights[last] <= 0.0) {
    --last;
  }
  return last;
}

ZipfTable::ZipfTable(int64_t n, double exponent) {
  CHECK(n >= 1 && exponent >= 0.0);
  cdf_.reserve(static_cast<size_t>(n));
  double total = 0.0;
  for (int64_t k = 1; k <= n; ++k) {
    total += 1.0 / det_pow(static_cast<double>(k), exponent);
    cdf_.push_back(total);
  }
  for (double& c : cdf_) {
    c /= total;
  }
}

int64_t ZipfTable::sample(Rng& rng) const {
  const double u = rng.uniform();
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  const auto rank = static_cast<int64_t>(it - cdf_.begin());
  return std::min<int64_t>(rank, static_cast<int64_t>(cdf_.size()) - 1);
}

}  // namespace segd::gen
