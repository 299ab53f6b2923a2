// BG/NBD and Gamma-Gamma fitting and per-customer scoring cost on simulated customers.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/models/bgnbd.h"
#include "core/models/gamma_gamma.h"
#include "core/models/sim_rng.h"

namespace segd::core::models {
namespace {

// Time unit days: CDNOW-like rates rescaled from weeks (alpha * 7).
constexpr BgNbdParams kTruth{0.243, 4.414 * 7.0, 0.793, 2.426};
constexpr GammaGammaParams kSpend{6.25, 3.74, 15.44};
constexpr int kCustomers = 1'000'000;

struct Population {
  std::vector<RfmSummary> rfm;
  std::vector<SpendSummary> spend;
};

// 1M customers observed 1..365 days, times at day resolution (many duplicate triples).
const Population& population() {
  static const Population pop = [] {
    Population p;
    SimRng rng(2024);
    p.rfm.reserve(kCustomers);
    p.spend.reserve(kCustomers);
    for (int i = 0; i < kCustomers; ++i) {
      const double T = 1.0 + std::floor(rng.uniform() * 365.0);
      RfmSummary c = simulate_bgnbd_customer(kTruth, T, rng);
      c.t_x = std::floor(c.t_x);
      p.rfm.push_back(c);
      p.spend.push_back(SpendSummary{c.x, c.x > 0.0 ? simulate_mean_value(kSpend, c.x, rng) : 0.0});
    }
    return p;
  }();
  return pop;
}

void BM_FitBgNbd1M(benchmark::State& state) {
  const Population& pop = population();
  for (auto _ : state) {
    auto fit = fit_bgnbd(pop.rfm);
    if (!fit) {
      state.SkipWithError(fit.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(fit->params);
    state.counters["r"] = fit->params.r;
    state.counters["alpha"] = fit->params.alpha;
    state.counters["a"] = fit->params.a;
    state.counters["b"] = fit->params.b;
  }
}
BENCHMARK(BM_FitBgNbd1M)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_FitGammaGamma(benchmark::State& state) {
  const Population& pop = population();
  for (auto _ : state) {
    auto fit = fit_gamma_gamma(pop.spend);
    if (!fit) {
      state.SkipWithError(fit.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(fit->params);
    state.counters["n"] = static_cast<double>(fit->n);
    state.counters["p"] = fit->params.p;
    state.counters["q"] = fit->params.q;
    state.counters["v"] = fit->params.v;
  }
}
BENCHMARK(BM_FitGammaGamma)->Unit(benchmark::kMillisecond)->Iterations(1);

// p_alive + E[Y(365 days)] + E[order value] for one customer, cycling through the population.
void BM_ScoreCustomer(benchmark::State& state) {
  const Population& pop = population();
  size_t i = 0;
  for (auto _ : state) {
    const RfmSummary& c = pop.rfm[i];
    const double alive = p_alive(kTruth, c.x, c.t_x, c.T);
    const double purchases = expected_purchases(kTruth, 365.0, c.x, c.t_x, c.T);
    const double value = expected_order_value(kSpend, c.x, pop.spend[i].mean_value);
    benchmark::DoNotOptimize(alive + purchases * value);
    i = (i + 1) % pop.rfm.size();
  }
}
BENCHMARK(BM_ScoreCustomer)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace segd::core::models

BENCHMARK_MAIN();
