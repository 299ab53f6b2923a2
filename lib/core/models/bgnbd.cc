#include "core/models/bgnbd.h"

#include <cmath>

#include "core/models/hypergeometric.h"
#include "core/models/log_math.h"

namespace segd::core::models {
namespace {

// Below this |c| the product c * 2F1(a, b; c; z) is replaced by its limit at c = 0.
constexpr double kTinyC = 1e-12;
// Half-width of the interpolation window around the removable singularity a = 1.
constexpr double kUnitAGuard = 1e-5;
// Stop summing a negative-binomial tail when the rest is below this fraction of it.
constexpr double kTailEps = 1e-17;
constexpr int kMaxTailTerms = 10'000'000;

// c * 2F1(a, b; c; z); at c -> 0 it tends to a b z 2F1(a + 1, b + 1; 2; z).
double c_times_hyp2f1(double a, double b, double c, double z, double w) {
  if (std::fabs(c) < kTinyC) {
    return a * b * z * hyp2f1(a + 1.0, b + 1.0, 2.0, z, w);
  }
  return c * hyp2f1(a, b, c, z, w);
}

// The conditional-expectation bracket of FHL eq. 10,
//   (a+b+x-1)/(a-1) * (1 - w^(r+x) 2F1(r+x, b+x; a+b+x-1; z)),
// after Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z), which turns it
// into (C - w^(a-1) * C * 2F1(a+b-1-r, a-1; C; z)) / (a-1) with C = a+b+x-1. The transformed
// series has a large c when x is large, so it converges fast, and it never overflows.
double bracket_raw(const BgNbdParams& p, double x, double z, double w) {
  const double c = p.a + p.b + x - 1.0;
  const double scaled = c_times_hyp2f1(p.a + p.b - 1.0 - p.r, p.a - 1.0, c, z, w);
  return (c - std::exp((p.a - 1.0) * std::log(w)) * scaled) / (p.a - 1.0);
}

// a = 1 is a removable singularity (0/0); interpolate across it linearly (error O(guard^2)).
double bracket(const BgNbdParams& p, double x, double z, double w) {
  if (std::fabs(p.a - 1.0) >= kUnitAGuard) {
    return bracket_raw(p, x, z, w);
  }
  BgNbdParams below = p;
  BgNbdParams above = p;
  below.a = 1.0 - kUnitAGuard;
  above.a = 1.0 + kUnitAGuard;
  const double lo = bracket_raw(below, x, z, w);
  const double hi = bracket_raw(above, x, z, w);
  return lo + (hi - lo) * (p.a - below.a) / (2.0 * kUnitAGuard);
}

// log P(N = j) for N ~ NBD(r, q): lgamma(r+j) - lgamma(r) - lgamma(j+1) + r log(1-q) + j log q.
double log_nbd(double r, double log_q, double log_1mq, double j) {
  return std::lgamma(r + j) - std::lgamma(r) - std::lgamma(j + 1.0) + r * log_1mq + j * log_q;
}

// P(N >= n) for N ~ NBD(r, q), n >= 1. Uses 1 - P(N < n) when that is at least 0.5 (no
// cancellation), else sums the tail directly so tiny tails keep their relative precision.
double nbd_tail(double r, double log_q, double log_1mq, int n) {
  double head = 0.0;
  double log_term = r * log_1mq;
  for (int j = 0; j < n; ++j) {
    head += std::exp(log_term);
    log_term += std::log((r + j) / (j + 1.0)) + log_q;
  }
  if (head <= 0.5) {
    return 1.0 - head;
  }
  const double q = std::exp(log_q);
  double term = std::exp(log_nbd(r, log_q, log_1mq, n));
  double tail = term;
  for (int j = n; j < n + kMaxTailTerms && term > 0.0; ++j) {
    const double ratio = (r + j) / (j + 1.0) * q;
    term *= ratio;
    tail += term;
    if (ratio < 1.0 && term * ratio / (1.0 - ratio) <= kTailEps * tail) {
      break;
    }
  }
  return tail;
}

}  // namespace

double bgnbd_log_likelihood(const BgNbdParams& p, const RfmSummary& c) {
  const double rx = p.r + c.x;
  const double a1 = std::lgamma(rx) - std::lgamma(p.r) + p.r * std::log(p.alpha);
  const double a2 = std::lgamma(p.a + p.b) + std::lgamma(p.b + c.x) - std::lgamma(p.b) -
                    std::lgamma(p.a + p.b + c.x);
  const double a3 = -rx * std::log(p.alpha + c.T);
  if (c.x <= 0.0) {
    return a1 + a2 + a3;
  }
  const double a4 = std::log(p.a) - std::log(p.b + c.x - 1.0) - rx * std::log(p.alpha + c.t_x);
  return a1 + a2 + log_add_exp(a3, a4);
}

double bgnbd_log_likelihood(const BgNbdParams& params, std::span<const RfmSummary> customers) {
  double total = 0.0;
  for (const RfmSummary& c : customers) {
    total += bgnbd_log_likelihood(params, c);
  }
  return total;
}

double p_alive(const BgNbdParams& p, double x, double t_x, double T) {
  if (x <= 0.0) {
    return 1.0;
  }
  // Odds of having dropped out: a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x), in log space.
  const double log_odds =
      std::log(p.a) - std::log(p.b + x - 1.0) + (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x));
  if (log_odds > 0.0) {
    const double inverse = std::exp(-log_odds);
    return inverse / (1.0 + inverse);
  }
  return 1.0 / (1.0 + std::exp(log_odds));
}

double expected_purchases(const BgNbdParams& params, double t, double x, double t_x, double T) {
  if (t <= 0.0) {
    return 0.0;
  }
  const double horizon = params.alpha + T + t;
  const double z = t / horizon;
  const double w = (params.alpha + T) / horizon;
  return bracket(params, x, z, w) * p_alive(params, x, t_x, T);
}

double expected_purchases_new(const BgNbdParams& params, double t) {
  return expected_purchases(params, t, 0.0, 0.0, 0.0);
}

double prob_purchases(const BgNbdParams& p, double t, int n) {
  if (n < 0) {
    return 0.0;
  }
  if (t <= 0.0) {
    return n == 0 ? 1.0 : 0.0;
  }
  const double log_q = std::log(t) - std::log(p.alpha + t);
  const double log_1mq = -std::log1p(t / p.alpha);
  const double log_beta_ab = log_beta(p.a, p.b);
  const double alive_all_along =
      std::exp(log_beta(p.a, p.b + n) - log_beta_ab + log_nbd(p.r, log_q, log_1mq, n));
  if (n == 0) {
    return alive_all_along;
  }
  const double died_after_nth =
      std::exp(log_beta(p.a + 1.0, p.b + n - 1.0) - log_beta_ab) * nbd_tail(p.r, log_q, log_1mq, n);
  return alive_all_along + died_after_nth;
}

}  // namespace segd::core::models
