#pragma once

#include "core/models/bgnbd.h"
#include "core/models/gamma_gamma.h"

namespace segd::core::models {

/// Discounted expected customer value over the next `horizon` time units:
///   sum_{k=1..steps} (E[Y(t_k)] - E[Y(t_{k-1})]) * E[Z] / (1 + d)^(t_k),  t_k = k * horizon /
///   steps,
/// where E[Y(t)] = expected_purchases(bgnbd, t, x, t_x, T) (E[Y(0)] = 0), E[Z] =
/// expected_order_value(spend, values.x, values.mean_value) and d = discount_rate_per_unit (per
/// model time unit, > -1). `values` must describe the transactions BG/NBD counts (segd: purchase
/// days), or E[Y] and E[Z] multiply different units. Purchases in each sub-period are discounted at
/// its end. Returns 0 when horizon <= 0 or steps <= 0; +infinity when E[Z] does not exist. Pure,
/// thread-safe.
[[nodiscard]] double clv(const BgNbdParams& bgnbd,
                         const GammaGammaParams& spend,
                         const RfmSummary& customer,
                         const SpendSummary& values,
                         double horizon,
                         double discount_rate_per_unit,
                         int steps);

}  // namespace segd::core::models
