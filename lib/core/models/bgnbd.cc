#include "core/models/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/models/beta_expectation.h"
#include "core/models/hypergeometric.h"
#include "core/models/log_math.h"

namespace segd::core::models {
namespace {

// Below this |c| the product c * 2F1(a, b; c; z) is replaced by its limit at c = 0.
constexpr double kTinyC = 1e-12;
// Half-width of the interpolation window around the removable singularity a = 1.
constexpr double kUnitAGuard = 1e-5;
// hyp2f1 sums the Gauss series up to this z, and uses the connection formula in 1 - z above it.
constexpr double kEulerConnectionZ = 0.75;
// A Gauss series whose c - a - b exceeds this ends its tail fast even for z near 1.
constexpr double kLargeExcess = 20.0;
// Terms the Euler form may take (ordinary parameters need < 100) before the other forms take over.
// Above a few thousand the quadrature is cheaper than any series (a few hundred to a few thousand
// exp/log evaluations).
constexpr int kEulerMaxTerms = 2'000;
// The w^(r+x) Pfaff form divides 1 - S by a - 1: used from here up, where that loses no digits.
constexpr double kMinAForRxForm = 1.5;
// Terms each scaled series may take before the evaluation fails (NaN).
constexpr int kBracketMaxTerms = 50'000;
// Relative rounding allowed around the bounds of within_bounds.
constexpr double kBoundSlack = 1e-6;
// Stop summing a negative-binomial tail when the rest is below this fraction of it.
constexpr double kTailEps = 1e-17;
constexpr int kMaxTailTerms = 10'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one evaluation of the bracket needs: z = t/(alpha+T+t), w = 1 - z (passed separately for
// precision) and u = t/(alpha+T) = z/w.
struct BracketArgs {
  BgNbdParams p;
  double x, z, w, u;

  [[nodiscard]] double c() const { return p.a + p.b + x - 1.0; }
};

// c * 2F1(a, b; c; z); at c -> 0 it tends to a b z 2F1(a + 1, b + 1; 2; z).
Hyp2f1Sum c_times_hyp2f1(double a, double b, double c, double z, double w) {
  if (std::fabs(c) < kTinyC) {
    const Hyp2f1Sum f = hyp2f1_sum(a + 1.0, b + 1.0, 2.0, z, w, kEulerMaxTerms);
    return {a * b * z * f.value, f.terms};
  }
  const Hyp2f1Sum f = hyp2f1_sum(a, b, c, z, w, kEulerMaxTerms);
  return {c * f.value, f.terms};
}

// The conditional-expectation bracket of FHL eq. 10,
//   (a+b+x-1)/(a-1) * (1 - w^(r+x) 2F1(r+x, b+x; a+b+x-1; z)),
// after Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z), which turns it
// into (C - w^(a-1) * C * 2F1(a+b-1-r, a-1; C; z)) / (a-1) with C = a+b+x-1. The transformed
// series has a large c when x is large, so it converges fast; for large a it is the slow one.
Hyp2f1Sum bracket_euler(const BracketArgs& g) {
  const BgNbdParams& p = g.p;
  const double c = g.c();
  const Hyp2f1Sum scaled = c_times_hyp2f1(p.a + p.b - 1.0 - p.r, p.a - 1.0, c, g.z, g.w);
  return {(c - std::exp((p.a - 1.0) * std::log(g.w)) * scaled.value) / (p.a - 1.0), scaled.terms};
}

// FHL eq. 10 as printed (Pfaff form), C/(a-1) * (1 - S) with S = w^(r+x) 2F1(r+x, b+x; C; z).
// Its terms follow a negative binomial of ratio about z (b+x)/C, so it is fast when a is large,
// where the Euler form is slow; w^(r+x) is carried into the series (scaled_gauss_series).
Hyp2f1Sum bracket_rx(const BracketArgs& g, int max_terms) {
  const double k = g.p.r + g.x;
  const double c = g.c();
  const Hyp2f1Sum s = scaled_gauss_series(k, g.p.b + g.x, c, g.z, k * std::log(g.w), max_terms);
  return {c * (1.0 - s.value) / (g.p.a - 1.0), s.terms};
}

// The Euler form again, C (1 - w^(a-1) 2F1(C-r-x, a-1; C; z)) / (a-1), but as one scaled Gauss
// series for any z (no connection formula), so w^(a-1) and the series cannot overflow apart.
Hyp2f1Sum bracket_a1(const BracketArgs& g, int max_terms) {
  const BgNbdParams& p = g.p;
  const double a1 = p.a - 1.0;
  const double c = g.c();
  const Hyp2f1Sum s =
      scaled_gauss_series(p.a + p.b - 1.0 - p.r, a1, c, g.z, a1 * std::log(g.w), max_terms);
  return {c * (1.0 - s.value) / a1, s.terms};
}

// The bracket is an expectation (FHL derive eq. 10 so): given alive, the purchase rate is
// Gamma(r+x, alpha+T) and the dropout probability p ~ Beta(a, b+x), hence
//   bracket = E_p[(1 - (1 + p u)^-(r+x)) / p],
// whose integrand falls from (r+x) u at p = 0 to 1 - (1+u)^-(r+x) at p = 1. A value outside these
// bounds (beyond rounding) is a failed evaluation, such as a connection formula that cancelled.
bool within_bounds(const BracketArgs& g, double value) {
  const double k = g.p.r + g.x;
  const double lower = -std::expm1(-k * std::log1p(g.u));
  return value >= lower * (1.0 - kBoundSlack) && value <= k * g.u * (1.0 + kBoundSlack);
}

// The bracket by numerical integration (needs only u), NaN when that fails or leaves the bounds.
double bracket_by_quadrature(const BracketArgs& g) {
  const double integral = beta_bracket_by_quadrature(g.p.a, g.p.b + g.x, g.p.r + g.x, g.u);
  return within_bounds(g, integral) ? integral : kNaN;
}

// Terms the Gauss series of 2F1(A, B; C; z) needs, roughly, when its terms follow a negative
// binomial of this size and ratio (as (B)_n/(C)_n = E[q^n] for q ~ Beta(B, C-B) makes them): its
// mean plus ~40/(1-ratio) to reach 1e-17; unless C - A - B is large the terms end up decaying
// only like z^n, which adds ~40/(1-z).
double estimated_terms(double size, double ratio, double excess, double w) {
  const double nbd = ratio < 1.0 ? (size * ratio + 40.0) / (1.0 - ratio) : kBracketMaxTerms;
  return excess > kLargeExcess ? nbd : nbd + 40.0 / w;
}

// estimated_terms for the Euler form's series 2F1(C-r-x, a-1; C; z), C > 0.
double euler_terms(const BracketArgs& g) {
  const double c = g.c();
  const double k = g.p.r + g.x;
  return estimated_terms(std::fabs(g.p.a - 1.0), g.z * (c - k) / c, k + 1.0 - g.p.a, g.w);
}

// Which of the two scaled Pfaff/Euler series apply, and the terms each is estimated to take.
struct SeriesCosts {
  bool rx_usable, a1_usable;
  double rx_cost, a1_cost;

  // The cheaper usable one's estimate (infinity when neither applies).
  [[nodiscard]] double cheapest() const {
    double cost = std::numeric_limits<double>::infinity();
    if (rx_usable) {
      cost = rx_cost;
    }
    return a1_usable ? std::min(cost, a1_cost) : cost;
  }
};

SeriesCosts series_costs(const BracketArgs& g) {
  const double c = g.c();
  const double k = g.p.r + g.x;
  return {.rx_usable = g.p.a >= kMinAForRxForm,
          .a1_usable = std::fabs(c) >= kTinyC,
          .rx_cost = estimated_terms(k, g.z * (g.p.b + g.x) / c, g.p.a - 1.0 - k, g.w),
          .a1_cost = c > 0.0 ? euler_terms(g) : 0.0};
}

// The two scaled Pfaff/Euler series (`costs`: series_costs(g)), the one estimated cheaper first;
// NaN if neither gives a value within bounds in kBracketMaxTerms terms each.
Hyp2f1Sum bracket_by_series(const BracketArgs& g, const SeriesCosts& costs) {
  const auto [rx_usable, a1_usable, rx_cost, a1_cost] = costs;
  const bool rx_first = rx_usable && (!a1_usable || rx_cost <= a1_cost);
  int terms = 0;
  for (const bool rx : {rx_first, !rx_first}) {
    if (!(rx ? rx_usable : a1_usable)) {
      continue;
    }
    const Hyp2f1Sum s = rx ? bracket_rx(g, kBracketMaxTerms) : bracket_a1(g, kBracketMaxTerms);
    terms += s.terms;
    if (within_bounds(g, s.value)) {
      return {s.value, terms};
    }
  }
  return {kNaN, terms};
}

// The bracket for a not within kUnitAGuard of 1: the Euler form through hyp2f1 unless that would
// sum its slow Gauss series directly (hyp2f1 does for z <= 0.75), else the scaled series. For
// ordinary parameters the Euler form is cheap and its value is returned as before.
Hyp2f1Sum bracket_away_from_unit_a(const BracketArgs& g) {
  int terms = 0;
  if (g.z > kEulerConnectionZ || g.c() <= 0.0 || euler_terms(g) <= kEulerMaxTerms) {
    const Hyp2f1Sum euler = bracket_euler(g);
    if (within_bounds(g, euler.value)) {
      return euler;
    }
    terms = euler.terms;
  }
  // Where both series would be long too (a tiny a with a huge b, fitted so from a small sample:
  // 40000 terms, a quarter of a millisecond, for every clv step), the integral comes first.
  const SeriesCosts costs = series_costs(g);
  if (costs.cheapest() > kEulerMaxTerms) {
    const double integral = bracket_by_quadrature(g);
    if (!std::isnan(integral)) {
      return {integral, terms};
    }
  }
  const Hyp2f1Sum series = bracket_by_series(g, costs);
  terms += series.terms;
  if (!std::isnan(series.value)) {
    return {series.value, terms};
  }
  // Every series cancelled or ran too long (large r + x with a < 1.5, say): integrate instead.
  return {bracket_by_quadrature(g), terms};
}

// a = 1 is a removable singularity (0/0); interpolate across it linearly (error O(guard^2)).
Hyp2f1Sum bracket(const BracketArgs& g) {
  if (std::fabs(g.p.a - 1.0) >= kUnitAGuard) {
    return bracket_away_from_unit_a(g);
  }
  BracketArgs below = g;
  BracketArgs above = g;
  below.p.a = 1.0 - kUnitAGuard;
  above.p.a = 1.0 + kUnitAGuard;
  const Hyp2f1Sum lo = bracket_away_from_unit_a(below);
  const Hyp2f1Sum hi = bracket_away_from_unit_a(above);
  return {lo.value + (hi.value - lo.value) * (g.p.a - below.p.a) / (2.0 * kUnitAGuard),
          lo.terms + hi.terms};
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

ExpectedPurchases expected_purchases_counted(
    const BgNbdParams& params, double t, double x, double t_x, double T) {
  if (t <= 0.0) {
    return {0.0, 0};
  }
  const double alive = p_alive(params, x, t_x, T);
  if (alive == 0.0) {
    return {0.0, 0};
  }
  const double horizon = params.alpha + T + t;
  const double z = t / horizon;
  const double w = (params.alpha + T) / horizon;
  const BracketArgs args{params, x, z, w, t / (params.alpha + T)};
  if (!(z < 1.0)) {
    // t beyond ~1e16 (alpha + T): z rounds to 1, where no series form applies (their
    // preconditions aborted here); the integral needs only u.
    return {bracket_by_quadrature(args) * alive, 0};
  }
  const Hyp2f1Sum b = bracket(args);
  return {b.value * alive, b.terms};
}

double expected_purchases(const BgNbdParams& params, double t, double x, double t_x, double T) {
  return expected_purchases_counted(params, t, x, t_x, T).value;
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
