#include "core/models/beta_expectation.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace segd::core::models {
namespace {

// The substitution p = 1 / (1 + exp(-pi sinh t)) sends (0, 1) to the whole line; the integrand
// then falls double-exponentially, and |t| <= kReach covers p down to exp(-pi sinh 10) ~ 1e-15000.
constexpr double kReach = 10.0;
constexpr double kFirstStep = 0.5;
constexpr int kMaxHalvings = 9;  // At most 2 * kReach / (kFirstStep / 2^9) + 1 = 20481 nodes.
constexpr double kAgreement = 1e-10;
// Below this p u the integrand's Taylor expansion to first order is exact to double precision.
constexpr double kLinearBelow = 1e-12;

// The integrand f(p) = (1 - (1 + p u)^-k) / p less the chord between its ends,
// h(p) = f(p) - f(0) (1 - p) - f(1) p, times the Beta(a, b) density. h vanishes at both ends, so
// the integral of h holds however much of the density's mass crowds into p ~ 0 or 1 (a or b of
// 1e-6, where most of it lies below the quadrature's reach): the chord's share is exact,
// f(0) (1 - E p) + f(1) E p with E p = a / (a + b).
class Integrand {
 public:
  Integrand(double a, double b, double k, double u)
      : a_(a),
        b_(b),
        k_(k),
        u_(u),
        at_0_(k * u),
        at_1_(-std::expm1(-k * std::log1p(u))),
        log_beta_(std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b)) {}

  // The chord's share of the expectation.
  [[nodiscard]] double chord() const {
    const double mean = a_ / (a_ + b_);
    return at_0_ * (1.0 - mean) + at_1_ * mean;
  }

  // The node at t, weighted by `step`.
  [[nodiscard]] double at(double t, double step) const {
    const double s = std::numbers::pi * std::sinh(t);
    // log p and log(1 - p) without forming 1 - p, so both ends keep their precision.
    const double log_p = s > 0.0 ? -std::log1p(std::exp(-s)) : s - std::log1p(std::exp(s));
    const double log_q = s > 0.0 ? -s - std::log1p(std::exp(-s)) : -std::log1p(std::exp(s));
    // Beta(a, b) density times dp/dt = pi cosh t p (1 - p).
    const double density =
        std::exp(a_ * log_p + b_ * log_q - log_beta_) * std::numbers::pi * std::cosh(t) * step;
    if (density == 0.0) {
      return 0.0;
    }
    const double p = std::exp(log_p);
    const double q = std::exp(log_q);
    if (p == 0.0 || q == 0.0) {
      return 0.0;  // h is 0 at the ends.
    }
    if (p * u_ < kLinearBelow) {
      // f(p) = k u - k (k + 1) u^2 p / 2 + O(p^2): h is linear here. The closed form loses every
      // digit as p u turns subnormal (p = 1.7e-322 gave h = -0.09, and the sums never agreed).
      return density * p * (at_0_ - at_1_ - k_ * (k_ + 1.0) * u_ * u_ / 2.0);
    }
    const double falling = -std::expm1(-k_ * std::log1p(p * u_)) / p;
    return density * (falling - at_0_ * q - at_1_ * p);
  }

 private:
  double a_, b_, k_, u_, at_0_, at_1_, log_beta_;
};

}  // namespace

double beta_bracket_by_quadrature(double a, double b, double k, double u) {
  const Integrand f(a, b, k, u);
  const double chord = f.chord();
  double step = kFirstStep;
  double sum = 0.0;
  const int half_nodes = static_cast<int>(kReach / step);
  for (int j = -half_nodes; j <= half_nodes; ++j) {
    sum += f.at(j * step, step);
  }
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (int halving = 0; halving <= kMaxHalvings; ++halving) {
    const double estimate = chord + sum;
    if (std::fabs(estimate - previous) <= kAgreement * std::fabs(estimate)) {
      return estimate;
    }
    previous = estimate;
    // Halve the step: the old nodes keep their values at half the weight, the midpoints join.
    step /= 2.0;
    double finer = sum / 2.0;
    const int odd_nodes = static_cast<int>(kReach / step);
    for (int j = -odd_nodes + 1; j < odd_nodes; j += 2) {
      finer += f.at(j * step, step);
    }
    sum = finer;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace segd::core::models
