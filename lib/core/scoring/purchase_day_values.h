#pragma once

#include <cstddef>

#include "core/features/feature_values.h"
#include "core/models/gamma_gamma.h"

namespace segd::core {

/// What the Gamma-Gamma model sees of a customer: the transactions BG/NBD counts, purchase days
/// (x repeat days after the first), so that clv multiplies expected purchase days by a value per
/// purchase day. x + 1 values averaging monetary_total / (x + 1): the first day is included, as
/// the state keeps no per-day values (lifetimes leaves it out). The mean is NaN or 0 for a
/// customer who never bought.
[[nodiscard]] inline models::SpendSummary purchase_day_values(const FeatureVector& f) {
  const double days = f[static_cast<size_t>(FeatureId::kX)] + 1.0;
  return {days, f[static_cast<size_t>(FeatureId::kMonetaryTotal)] / days};
}

}  // namespace segd::core
