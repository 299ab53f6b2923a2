#include "core/models/clv.h"

#include <cmath>

namespace segd::core::models {

double clv(const BgNbdParams& bgnbd,
           const GammaGammaParams& spend,
           const RfmSummary& customer,
           const SpendSummary& values,
           double horizon,
           double discount_rate_per_unit,
           int steps) {
  if (horizon <= 0.0 || steps <= 0) {
    return 0.0;
  }
  const double order_value = expected_order_value(spend, values.x, values.mean_value);
  const double log_discount = std::log1p(discount_rate_per_unit);
  double previous = 0.0;
  double total = 0.0;
  for (int k = 1; k <= steps; ++k) {
    const double t = horizon * k / steps;
    const double cumulative = expected_purchases(bgnbd, t, customer.x, customer.t_x, customer.T);
    total += (cumulative - previous) * std::exp(-t * log_discount);
    previous = cumulative;
  }
  return total * order_value;
}

}  // namespace segd::core::models
