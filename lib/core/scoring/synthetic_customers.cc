#include "core/scoring/synthetic_customers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "core/models/sim_rng.h"

namespace segd::core::scoring {
namespace {

constexpr models::BgNbdParams kBgNbdDays{0.243, 4.414 * 7.0, 0.793, 2.426};
constexpr models::GammaGammaParams kSpend{6.25, 3.74, 15.44};

int64_t days_ms(double days) { return static_cast<int64_t>(days * static_cast<double>(kMsPerDay)); }

void add_purchases(CustomerState& c, int64_t as_of, models::SimRng& rng) {
  c.first_purchase_ms = c.first_event_ms + days_ms(rng.uniform() * 0.5);
  const int64_t first_day = day_of(TimestampMs{c.first_purchase_ms});
  const auto age = static_cast<double>(day_of(TimestampMs{as_of}) - first_day);
  const models::RfmSummary s = models::simulate_bgnbd_customer(kBgNbdDays, age, rng);
  const auto t_x = static_cast<int64_t>(std::floor(s.t_x));
  c.purchase_days = static_cast<int64_t>(s.x) + 1;
  c.orders_total = c.purchase_days;
  c.last_purchase_ms = c.first_purchase_ms + t_x * kMsPerDay;
  const double mean = models::simulate_mean_value(kSpend, static_cast<double>(c.orders_total), rng);
  c.monetary_total = std::round(mean * static_cast<double>(c.orders_total) * 100.0) / 100.0;
  c.last_event_ms = std::max(c.last_event_ms, std::min(c.last_purchase_ms, as_of));
}

}  // namespace

std::vector<CustomerState> synthetic_customers(size_t n, uint64_t seed, TimestampMs as_of_ts) {
  const int64_t as_of = as_of_ts.value();
  models::SimRng rng(seed);
  std::vector<CustomerState> out;
  out.reserve(n);
  std::array<char, 24> id{};
  for (size_t i = 0; i < n; ++i) {
    CustomerState c;
    std::snprintf(id.data(), id.size(), "c%08zu", i);
    c.customer_id = id.data();
    c.first_event_ms = as_of - days_ms(1.0 + 364.0 * rng.uniform());
    c.last_event_ms = c.first_event_ms + days_ms(rng.uniform() * 30.0);
    c.last_event_ms = std::min(c.last_event_ms, as_of);
    if (rng.uniform() < 0.8) {
      add_purchases(c, as_of, rng);
    }
    const double appetite = 1.0 + 9.0 * rng.uniform();
    c.sessions_total = 1 + c.orders_total + static_cast<int64_t>(rng.exponential() * appetite);
    const auto sessions = static_cast<double>(c.sessions_total);
    c.counts[0] = static_cast<int64_t>(sessions * (1.0 + 2.0 * rng.uniform()));
    c.counts[1] = static_cast<int64_t>(sessions * appetite * 0.5);
    c.counts[2] = static_cast<int64_t>(sessions * rng.uniform());
    c.counts[3] = c.orders_total + static_cast<int64_t>(sessions * 0.3 * rng.uniform());
    c.activity_ref_ms = c.last_event_ms;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace segd::core::scoring
