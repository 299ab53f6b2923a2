#include "core/models/gamma_gamma.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "core/models/optimize.h"

namespace segd::core::models {
namespace {

// Per-customer terms that do not depend on the parameters, grouped by x.
struct SpendRow {
  double log_mean;  // log m
  double total;     // x m
};

struct SpendGroup {
  double x;
  double log_x;
  size_t begin;
  size_t end;
};

struct SpendData {
  std::vector<SpendRow> rows;
  std::vector<SpendGroup> groups;
  double mean_value = 0.0;
};

SpendData prepare(std::vector<SpendSummary> used) {
  std::sort(used.begin(), used.end(), [](const SpendSummary& l, const SpendSummary& r) {
    return l.x < r.x || (l.x == r.x && l.mean_value < r.mean_value);
  });
  SpendData data;
  double sum = 0.0;
  for (const SpendSummary& c : used) {
    sum += c.mean_value;
    if (data.groups.empty() || data.groups.back().x != c.x) {
      data.groups.push_back(SpendGroup{c.x, std::log(c.x), data.rows.size(), data.rows.size()});
    }
    data.rows.push_back(SpendRow{std::log(c.mean_value), c.x * c.mean_value});
    data.groups.back().end = data.rows.size();
  }
  data.mean_value = sum / static_cast<double>(used.size());
  return data;
}

double data_log_likelihood(const SpendData& data, const GammaGammaParams& g) {
  const double shared = -std::lgamma(g.q) + g.q * std::log(g.v);
  double total = 0.0;
  for (const SpendGroup& group : data.groups) {
    const double px = g.p * group.x;
    const double per_row = shared + std::lgamma(px + g.q) - std::lgamma(px) + px * group.log_x;
    double sum = 0.0;
    for (size_t i = group.begin; i < group.end; ++i) {
      const SpendRow& row = data.rows[i];
      sum += (px - 1.0) * row.log_mean - (px + g.q) * std::log(g.v + row.total);
    }
    total += per_row * static_cast<double>(group.end - group.begin) + sum;
  }
  return total;
}

}  // namespace

double gamma_gamma_log_likelihood(const GammaGammaParams& g, const SpendSummary& c) {
  const double px = g.p * c.x;
  return std::lgamma(px + g.q) - std::lgamma(px) - std::lgamma(g.q) + g.q * std::log(g.v) +
         (px - 1.0) * std::log(c.mean_value) + px * std::log(c.x) -
         (px + g.q) * std::log(g.v + c.x * c.mean_value);
}

double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                  std::span<const SpendSummary> customers) {
  double total = 0.0;
  for (const SpendSummary& c : customers) {
    if (c.x > 0.0) {
      total += gamma_gamma_log_likelihood(params, c);
    }
  }
  return total;
}

double expected_order_value(const GammaGammaParams& g, double x, double mean_value) {
  const double denominator = g.p * x + g.q - 1.0;
  if (denominator <= 0.0) {
    return std::numeric_limits<double>::infinity();
  }
  if (x <= 0.0) {
    return g.p * g.v / denominator;
  }
  // Refunds beyond the purchases leave a net mean at or below 0, outside the model (it is fitted
  // on positive spend only): it counts as 0, so the value shrinks toward 0 with x, never below.
  // A negative mean made clv_365d negative (-1.4e7 after a refund of 1e9) and rise with T.
  return g.p * (g.v + x * std::max(mean_value, 0.0)) / denominator;
}

Result<GammaGammaFit> fit_gamma_gamma(std::span<const SpendSummary> customers,
                                      const FitOptions& options) {
  std::vector<SpendSummary> used;
  for (const SpendSummary& c : customers) {
    if (!std::isfinite(c.x) || !std::isfinite(c.mean_value) || c.x < 0.0) {
      return fail("invalid_summary", "need finite x >= 0 and mean_value");
    }
    if (c.x > 0.0) {
      if (c.mean_value <= 0.0) {
        return fail("invalid_summary", "mean_value must be > 0 when x > 0");
      }
      used.push_back(c);
    }
  }
  if (used.empty()) {
    return fail("empty_input", "fit_gamma_gamma needs a customer with x > 0");
  }
  const size_t n = used.size();
  // Fitted in units of the sample's mean value: v scales with money (p and q do not), so the
  // optimizer's bounds on v (FitOptions::max_param) hold for any currency. Amounts averaging
  // ~4.5e6 pinned v at 1e6 and bent p and q instead.
  double scale = 0.0;
  for (const SpendSummary& c : used) {
    scale += c.mean_value / static_cast<double>(n);
  }
  for (SpendSummary& c : used) {
    c.mean_value /= scale;
  }
  const SpendData data = prepare(std::move(used));
  const LogParamObjective objective = [&data](std::span<const double> v) {
    return data_log_likelihood(data, GammaGammaParams{v[0], v[1], v[2]});
  };
  const std::array<double, 3> start{1.0, 2.0, data.mean_value};
  auto best = maximize_log_params(objective, start, options);
  if (!best) {
    return std::unexpected(best.error());
  }
  const std::vector<double>& v = best->params;
  // Each customer's density of m picks up 1/scale in money units.
  const double log_likelihood = best->value - static_cast<double>(n) * std::log(scale);
  return GammaGammaFit{GammaGammaParams{v[0], v[1], v[2] * scale}, log_likelihood, n};
}

}  // namespace segd::core::models
