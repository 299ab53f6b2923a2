#include "gen/generator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <tuple>

#include "core/common/check.h"
#include "gen/catalog.h"
#include "gen/customer.h"
#include "gen/det_math.h"
#include "gen/line_writer.h"
#include "gen/rng.h"

namespace segd::gen {
namespace {

/// Zipf exponent of activity across customers: the customer of rank r gets weight r^-s.
constexpr double kActivityZipfExponent = 0.35;
constexpr uint64_t kPlanSalt = 0x9a7e'0000'0000'0001ULL;
constexpr uint64_t kCustomerSalt = 0xc057'0000'0000'0002ULL;
constexpr size_t kFlushBytes = 1 << 20;

/// A held-back line: a late event or a duplicate copy.
struct Delayed {
  int64_t release_ms;
  int64_t seq;  // unique, so the order is total and deterministic
  std::string line;
  bool operator>(const Delayed& other) const {
    return std::tie(release_ms, seq) > std::tie(other.release_ms, other.seq);
  }
};

int digits_of(int64_t n) {
  int width = 1;
  while (n >= 10) {
    n /= 10;
    ++width;
  }
  return width;
}

/// Exactly share × n customers per group (by cumulative rounding), in a seeded random order.
std::vector<Group> assign_groups(int64_t customers, Rng& rng) {
  std::vector<Group> groups;
  groups.reserve(static_cast<size_t>(customers));
  double cumulative = 0.0;
  for (int g = 0; g < kGroupCount; ++g) {
    cumulative += group_profile(static_cast<Group>(g)).share;
    const auto upto = g == kGroupCount - 1
                          ? customers
                          : std::llround(cumulative * static_cast<double>(customers));
    while (static_cast<int64_t>(groups.size()) < upto) {
      groups.push_back(static_cast<Group>(g));
    }
  }
  for (size_t i = groups.size(); i > 1; --i) {
    std::swap(groups[i - 1],
              groups[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  }
  return groups;
}

/// Event budgets ∝ group activity × Zipf(rank), with the ranks a seeded permutation. The
/// cumulative rounding makes the budgets sum to exactly `events`.
std::vector<int64_t> assign_budgets(const std::vector<Group>& groups, int64_t events, Rng& rng) {
  const size_t n = groups.size();
  std::vector<int64_t> rank(n);
  for (size_t i = 0; i < n; ++i) {
    rank[i] = static_cast<int64_t>(i) + 1;
  }
  for (size_t i = n; i > 1; --i) {
    std::swap(rank[i - 1],
              rank[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  }
  std::vector<double> weight(n);
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    weight[i] = group_profile(groups[i]).activity /
                det_pow(static_cast<double>(rank[i]), kActivityZipfExponent);
    total += weight[i];
  }
  std::vector<int64_t> budget(n);
  double cumulative = 0.0;
  int64_t assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    cumulative += weight[i];
    const int64_t upto =
        i + 1 == n ? events
                   : std::min<int64_t>(
                         events, static_cast<int64_t>(std::floor(
                                     cumulative / total * static_cast<double>(events) + 0.5)));
    budget[i] = std::max<int64_t>(0, upto - assigned);
    assigned += budget[i];
  }
  return budget;
}

/// The merge: customers' timelines through a min-heap on (next ts, customer), held-back lines
/// through a second heap released once the main stream reaches their release time.
class Merger {
 public:
  Merger(const GenConfig& config,
         std::vector<CustomerSim> sims,
         int id_width,
         GenSummary summary,
         std::ostream& out)
      : config_(config),
        sims_(std::move(sims)),
        writer_(catalog_, id_width),
        out_(out),
        summary_(std::move(summary)) {
    for (size_t i = 0; i < sims_.size(); ++i) {
      if (!sims_[i].done()) {
        ready_.emplace(sims_[i].next_ts(), i);
      }
    }
  }

  /// Emits every line; returns the completed summary.
  [[nodiscard]] core::Result<GenSummary> run();

 private:
  void emit_step(size_t index);
  void put(std::string_view line);

  const GenConfig& config_;
  Catalog catalog_;
  std::vector<CustomerSim> sims_;
  LineWriter writer_;
  std::ostream& out_;
  GenSummary summary_;
  std::string buffer_;
  int64_t seq_ = 0;
  using Key = std::pair<int64_t, size_t>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> ready_;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;
};

core::Result<GenSummary> Merger::run() {
  buffer_.reserve(kFlushBytes + 2 * kOversizeBytes);
  while (!ready_.empty() || !delayed_.empty()) {
    if (!delayed_.empty() && (ready_.empty() || delayed_.top().release_ms <= ready_.top().first)) {
      put(delayed_.top().line);
      delayed_.pop();
      continue;
    }
    const size_t index = ready_.top().second;
    ready_.pop();
    emit_step(index);
    if (!sims_[index].done()) {
      ready_.emplace(sims_[index].next_ts(), index);
    }
  }
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  out_.flush();
  if (!out_) {
    return core::fail("io_error", "writing the generated events failed");
  }
  return std::move(summary_);
}

void Merger::emit_step(size_t index) {
  Step step = sims_[index].step(catalog_, config_.bad_rate);
  if (step.bad) {
    ++summary_.bad_by_kind[static_cast<size_t>(*step.bad)];
    put(writer_.render_bad(step.event, *step.bad, step.variant));
    return;
  }
  ++summary_.events_by_type[static_cast<size_t>(step.event.kind)];
  const std::string_view line = writer_.render(step.event);
  if (step.late_by_ms > 0) {
    ++summary_.late;
    delayed_.push(Delayed{step.event.ts_ms + step.late_by_ms, seq_++, std::string(line)});
  } else {
    put(line);
  }
  if (step.duplicate_after_ms > 0) {
    ++summary_.duplicates;
    // A re-sent purchase gets a new event_id (dedup must use order_id); others repeat exactly.
    if (step.event.kind == core::EventType::kPurchase) {
      step.event.resend = 1;
    }
    delayed_.push(Delayed{step.event.ts_ms + step.duplicate_after_ms, seq_++,
                          std::string(writer_.render(step.event))});
  }
}

void Merger::put(std::string_view line) {
  ++summary_.lines;
  buffer_.append(line);
  if (buffer_.size() >= kFlushBytes) {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
}

}  // namespace

int64_t GenSummary::bad_total() const {
  int64_t total = 0;
  for (int64_t n : bad_by_kind) {
    total += n;
  }
  return total;
}

core::Result<void> validate_config(const GenConfig& config) {
  if (config.customers < 1 || config.customers > kMaxCustomers) {
    return core::fail("invalid_config",
                      "customers must be from 1 to " + std::to_string(kMaxCustomers));
  }
  if (config.events < 0) {
    return core::fail("invalid_config", "events must be >= 0");
  }
  if (config.days < 1 || config.days > kMaxDays) {
    return core::fail("invalid_config", "days must be from 1 to " + std::to_string(kMaxDays));
  }
  if (!(config.bad_rate >= 0.0 && config.bad_rate <= 1.0)) {
    return core::fail("invalid_config", "bad_rate must be in [0, 1]");
  }
  return {};
}

core::Result<GenPlan> plan(const GenConfig& config) {
  if (auto valid = validate_config(config); !valid) {
    return std::unexpected(valid.error());
  }
  Rng plan_rng(mix64(config.seed ^ kPlanSalt));
  GenPlan planned{.config = config, .groups = assign_groups(config.customers, plan_rng)};
  planned.budgets = assign_budgets(planned.groups, config.events, plan_rng);
  // Each customer's events must fit its active window at the pace of a session's shortest
  // step; when they did not, the simulation packed them into the period's last milliseconds.
  const int64_t period = config.days * core::kMsPerDay;
  for (size_t i = 0; i < planned.budgets.size(); ++i) {
    if (planned.budgets[i] * kMinEventStepMs > shortest_window_ms(planned.groups[i], period)) {
      return core::fail("invalid_config", "events: too many events per customer for the period");
    }
  }
  return planned;
}

core::Result<GenSummary> generate(const GenConfig& config, std::ostream& out) {
  auto planned = plan(config);
  if (!planned) {
    return std::unexpected(planned.error());
  }
  return generate(*planned, out);
}

core::Result<GenSummary> generate(const GenPlan& plan, std::ostream& out) {
  const GenConfig& config = plan.config;
  const std::vector<Group>& groups = plan.groups;
  const std::vector<int64_t>& budgets = plan.budgets;
  const int id_width = digits_of(config.customers);
  const int64_t begin = config.start.value();
  const int64_t end = begin + config.days * core::kMsPerDay;

  GenSummary summary;
  summary.truth.reserve(groups.size());
  std::vector<CustomerSim> sims;
  sims.reserve(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto number = static_cast<int64_t>(i) + 1;
    const uint64_t seed = mix64(config.seed ^ mix64(kCustomerSalt + static_cast<uint64_t>(number)));
    sims.emplace_back(CustomerPlan{number, groups[i], budgets[i], begin, end, seed});
    summary.truth.emplace_back(format_customer_id(number, id_width),
                               std::string(group_name(groups[i])));
    ++summary.customers_by_group[static_cast<size_t>(groups[i])];
  }
  std::sort(summary.truth.begin(), summary.truth.end());

  Merger merger(config, std::move(sims), id_width, std::move(summary), out);
  return merger.run();
}

core::Result<void> write_truth_csv(const GenSummary& summary, std::ostream& out) {
  out << "customer_id,group\n";
  for (const auto& [customer, group] : summary.truth) {
    out << customer << ',' << group << '\n';
  }
  if (!out) {
    return core::fail("io_error", "writing the truth CSV failed");
  }
  return {};
}

}  // namespace segd::gen
