#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common/time.h"
#include "core/features/customer_state.h"

namespace segd::core::scoring {

/// Deterministic synthetic customer states for tests and benchmarks of train() and ModelScorer
/// (the engine builds real ones). Customer i has id `c` + i zero-padded to 8 digits (so the
/// result is sorted by customer_id), a first event up to 365 days before `as_of`, and with
/// probability 0.8 purchases simulated from a BG/NBD process (CDNOW parameters in days: r 0.243,
/// alpha 30.9, a 0.793, b 2.426) at day resolution, order values from a Gamma-Gamma process
/// (p 6.25, q 3.74, v 15.44), sessions and browse counts that grow with the orders. Only the
/// fields compute_features reads for models are filled. Same (n, seed, as_of), same states.
[[nodiscard]] std::vector<CustomerState> synthetic_customers(size_t n,
                                                             uint64_t seed,
                                                             TimestampMs as_of);

}  // namespace segd::core::scoring
