// fit_bgnbd: the maximum-likelihood fit declared in bgnbd.h.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include "core/models/bgnbd.h"
#include "core/models/log_math.h"
#include "core/models/optimize.h"

namespace segd::core::models {
namespace {

// One distinct (x, t_x, T) triple; times are indices into Aggregate::times.
struct Cell {
  uint32_t t_x_index;
  uint32_t T_index;
  double weight;
};

// Cells sharing one x value: cells[begin, end).
struct XGroup {
  double x;
  double weight;
  size_t begin;
  size_t end;
};

// Customers collapsed to weighted distinct triples, grouped by x, with the distinct time values
// shared by all cells, so the per-evaluation cost is one lgamma set per x and one log per time.
struct Aggregate {
  std::vector<double> times;
  std::vector<Cell> cells;
  std::vector<XGroup> groups;
  double mean_T = 0.0;
};

bool is_valid(const RfmSummary& c) {
  return std::isfinite(c.x) && std::isfinite(c.t_x) && std::isfinite(c.T) && c.x >= 0.0 &&
         c.t_x >= 0.0 && c.T > 0.0 && c.t_x <= c.T;
}

uint32_t time_index(const std::vector<double>& times, double t) {
  return static_cast<uint32_t>(std::lower_bound(times.begin(), times.end(), t) - times.begin());
}

// Sorted copy with t_x normalised to 0 for x == 0 (it does not enter the likelihood).
std::vector<RfmSummary> sorted_customers(std::span<const RfmSummary> customers) {
  std::vector<RfmSummary> sorted(customers.begin(), customers.end());
  for (RfmSummary& c : sorted) {
    if (c.x == 0.0) {
      c.t_x = 0.0;
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const RfmSummary& l, const RfmSummary& r) {
    return std::tie(l.x, l.t_x, l.T) < std::tie(r.x, r.t_x, r.T);
  });
  return sorted;
}

std::vector<double> distinct_times(const std::vector<RfmSummary>& sorted) {
  std::vector<double> times;
  times.reserve(sorted.size() * 2);
  for (const RfmSummary& c : sorted) {
    times.push_back(c.t_x);
    times.push_back(c.T);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
}

Aggregate aggregate(std::span<const RfmSummary> customers) {
  const std::vector<RfmSummary> sorted = sorted_customers(customers);
  Aggregate agg;
  agg.times = distinct_times(sorted);
  double sum_T = 0.0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const RfmSummary& c = sorted[i];
    sum_T += c.T;
    if (i > 0 && sorted[i - 1] == c) {
      agg.cells.back().weight += 1.0;
      agg.groups.back().weight += 1.0;
      continue;
    }
    if (agg.groups.empty() || agg.groups.back().x != c.x) {
      agg.groups.push_back(XGroup{c.x, 0.0, agg.cells.size(), agg.cells.size()});
    }
    agg.cells.push_back(Cell{time_index(agg.times, c.t_x), time_index(agg.times, c.T), 1.0});
    agg.groups.back().weight += 1.0;
    agg.groups.back().end = agg.cells.size();
  }
  agg.mean_T = sum_T / static_cast<double>(sorted.size());
  return agg;
}

// Total log-likelihood over the aggregate; the same terms as bgnbd_log_likelihood, hoisted.
double aggregate_log_likelihood(const Aggregate& agg,
                                const BgNbdParams& p,
                                std::vector<double>& log_times) {
  for (size_t i = 0; i < agg.times.size(); ++i) {
    log_times[i] = std::log(p.alpha + agg.times[i]);
  }
  const double shared =
      -std::lgamma(p.r) + p.r * std::log(p.alpha) + std::lgamma(p.a + p.b) - std::lgamma(p.b);
  double total = 0.0;
  for (const XGroup& g : agg.groups) {
    const double rx = p.r + g.x;
    const double per_x =
        shared + std::lgamma(rx) + std::lgamma(p.b + g.x) - std::lgamma(p.a + p.b + g.x);
    double sum = 0.0;
    if (g.x <= 0.0) {
      for (size_t i = g.begin; i < g.end; ++i) {
        sum -= agg.cells[i].weight * rx * log_times[agg.cells[i].T_index];
      }
    } else {
      const double dropout = std::log(p.a) - std::log(p.b + g.x - 1.0);
      for (size_t i = g.begin; i < g.end; ++i) {
        const Cell& cell = agg.cells[i];
        const double alive = -rx * log_times[cell.T_index];
        const double dead = dropout - rx * log_times[cell.t_x_index];
        sum += cell.weight * log_add_exp(alive, dead);
      }
    }
    total += g.weight * per_x + sum;
  }
  return total;
}

}  // namespace

Result<BgNbdFit> fit_bgnbd(std::span<const RfmSummary> customers, const FitOptions& options) {
  if (customers.empty()) {
    return fail("empty_input", "fit_bgnbd needs at least one customer");
  }
  for (const RfmSummary& c : customers) {
    if (!is_valid(c)) {
      return fail("invalid_summary", "need finite x >= 0, 0 <= t_x <= T, T > 0");
    }
  }
  const Aggregate agg = aggregate(customers);
  std::vector<double> log_times(agg.times.size());
  const LogParamObjective objective = [&agg, &log_times](std::span<const double> v) {
    return aggregate_log_likelihood(agg, BgNbdParams{v[0], v[1], v[2], v[3]}, log_times);
  };
  const std::array<double, 4> start{1.0, agg.mean_T, 1.0, 1.0};
  auto best = maximize_log_params(objective, start, options);
  if (!best) {
    return std::unexpected(best.error());
  }
  const std::vector<double>& v = best->params;
  return BgNbdFit{BgNbdParams{v[0], v[1], v[2], v[3]}, best->value, customers.size()};
}

}  // namespace segd::core::models
