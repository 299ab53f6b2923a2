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
constexpr double kMassTolerance = 1e-9;

struct Sums {
  double value = 0.0;  // of the bracket's integrand
  double mass = 0.0;   // of the Beta density
};

class Integrand {
 public:
  Integrand(double a, double b, double k, double u)
      : a_(a),
        b_(b),
        k_(k),
        u_(u),
        log_beta_(std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b)) {}

  // Adds the node at t, with weight `step`, to `sums`.
  void add(double t, double step, Sums& sums) const {
    const double s = std::numbers::pi * std::sinh(t);
    // log p and log(1 - p) without forming 1 - p, so both ends keep their precision.
    const double log_p = s > 0.0 ? -std::log1p(std::exp(-s)) : s - std::log1p(std::exp(s));
    const double log_q = s > 0.0 ? -s - std::log1p(std::exp(-s)) : -std::log1p(std::exp(s));
    // Beta(a, b) density times dp/dt = pi cosh t p (1 - p).
    const double density =
        std::exp(a_ * log_p + b_ * log_q - log_beta_) * std::numbers::pi * std::cosh(t) * step;
    if (density == 0.0) {
      return;
    }
    const double p = std::exp(log_p);
    const double falling = p > 0.0 ? -std::expm1(-k_ * std::log1p(p * u_)) / p : k_ * u_;
    sums.value += density * falling;
    sums.mass += density;
  }

 private:
  double a_, b_, k_, u_, log_beta_;
};

}  // namespace

double beta_bracket_by_quadrature(double a, double b, double k, double u) {
  const Integrand f(a, b, k, u);
  double step = kFirstStep;
  Sums sums;
  const int half_nodes = static_cast<int>(kReach / step);
  for (int j = -half_nodes; j <= half_nodes; ++j) {
    f.add(j * step, step, sums);
  }
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (int halving = 0; halving <= kMaxHalvings; ++halving) {
    const double estimate = sums.value / sums.mass;
    if (std::fabs(estimate - previous) <= kAgreement * std::fabs(estimate) &&
        std::fabs(sums.mass - 1.0) <= kMassTolerance) {
      return estimate;
    }
    previous = estimate;
    // Halve the step: the old nodes keep their values at half the weight, the midpoints join.
    step /= 2.0;
    Sums finer{sums.value / 2.0, sums.mass / 2.0};
    const int odd_nodes = static_cast<int>(kReach / step);
    for (int j = -odd_nodes + 1; j < odd_nodes; j += 2) {
      f.add(j * step, step, finer);
    }
    sums = finer;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace segd::core::models
