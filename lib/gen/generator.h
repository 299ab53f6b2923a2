#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/common/time.h"
#include "gen/gen_event.h"
#include "gen/groups.h"

namespace segd::gen {

/// Largest `customers`: memory is O(customers), a few hundred bytes each.
inline constexpr int64_t kMaxCustomers = 100'000'000;
/// Largest `days`: a hundred years.
inline constexpr int kMaxDays = 36'500;

/// What to generate. The CLI (`segctl gen`) fills in its defaults; this struct has none that
/// matter beyond these.
struct GenConfig {
  int64_t customers = 1000;   ///< 1..kMaxCustomers. Default: 1000
  int64_t events = 10000;     ///< >= 0; exactly this many lines are written. Default: 10000
  uint64_t seed = 1;          ///< same config and seed → same bytes. Default: 1
  core::TimestampMs start{};  ///< first instant of the period (the CLI uses 2026-01-01T00:00Z)
  int days = 30;          ///< 1..kMaxDays; every timestamp is in [start, start + days). Default: 30
  double bad_rate = 0.0;  ///< in [0, 1]: share of lines replaced by bad lines. Default: 0
};

/// What was generated: the planted truth and the tallies.
struct GenSummary {
  int64_t lines = 0;  ///< lines written (== config.events)
  /// customer_id → planted group name, sorted by customer_id (ids are zero-padded, so this is
  /// numeric order too). Lists every customer, including those that got no events.
  std::vector<std::pair<std::string, std::string>> truth;
  std::array<int64_t, kGroupCount> customers_by_group{};
  /// Valid events by core::EventType, counted once each (re-sent duplicates are not counted here).
  std::array<int64_t, core::kEventTypeCount> events_by_type{};
  /// Bad lines by BadKind.
  std::array<int64_t, kBadKindCount> bad_by_kind{};
  int64_t late = 0;        ///< valid lines emitted later than their timestamp implies
  int64_t duplicates = 0;  ///< extra copies of valid events (same event, or same order_id)

  /// Sum of bad_by_kind.
  [[nodiscard]] int64_t bad_total() const;
  bool operator==(const GenSummary&) const = default;
};

/// Checks the config. Errors: code `invalid_config`, the message names the field
/// (`customers`, `events`, `days`, `bad_rate`).
[[nodiscard]] core::Result<void> validate_config(const GenConfig& config);

/// A checked config with each customer's planted group and event budget: what generate()
/// writes. Made by plan(); O(customers) memory.
struct GenPlan {
  GenConfig config;
  std::vector<Group> groups;     ///< Customer i + 1's group.
  std::vector<int64_t> budgets;  ///< Customer i + 1's lines.
};

/// Checks `config` and plans it, writing nothing, so that a caller can refuse a config before it
/// opens any file. Errors: code `invalid_config`: those of validate_config(), and "events: too
/// many events per customer for the period" when a customer's events do not fit its shortest
/// active window (shortest_window_ms()) kMinEventStepMs apart.
[[nodiscard]] core::Result<GenPlan> plan(const GenConfig& config);

/// Writes exactly `plan.config.events` JSONL lines to `out`, in non-decreasing time order except
/// the documented late and duplicate lines, and returns the summary. Deterministic: the same
/// config gives the same bytes on every platform. Memory is O(customers), not O(events).
/// Errors: `io_error` when the stream fails. Blocks on `out`.
[[nodiscard]] core::Result<GenSummary> generate(const GenPlan& plan, std::ostream& out);

/// plan() and generate(). Errors: those of both.
[[nodiscard]] core::Result<GenSummary> generate(const GenConfig& config, std::ostream& out);

/// Writes `customer_id,group` with a header line, one row per customer of summary.truth.
/// Errors: `io_error` when the stream fails.
[[nodiscard]] core::Result<void> write_truth_csv(const GenSummary& summary, std::ostream& out);

}  // namespace segd::gen
