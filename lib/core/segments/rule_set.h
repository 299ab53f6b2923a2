#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/features/customer_state.h"
#include "core/features/feature_catalog.h"
#include "core/segments/scores.h"
#include "core/segments/segment_change.h"

namespace segd::core {

/// Longest segment name (its characters: A-Z a-z 0-9 _ . -).
inline constexpr size_t kMaxSegmentNameBytes = 64;

/// One segment as written in the rules file. An empty `exit` means "not enter".
struct SegmentDefinition {
  std::string name;
  std::string enter;
  std::string exit;

  bool operator==(const SegmentDefinition&) const = default;
};

class Scorer;

/// What the engine knows when it evaluates a customer.
struct EvaluationContext {
  TimestampMs at;
  int64_t model_version = 0;
  CauseKind cause = CauseKind::kEvent;
  std::string_view cause_event_id;
  /// The model that scored the evaluation, when there is one to ask when a score crosses a
  /// threshold (Scorer::score_change_ms()); without it score rules are re-checked daily.
  const Scorer* scorer = nullptr;
};

/// Evaluation::next_due_ms of a customer whom only a newer model version can change: a rule
/// reads scores (NaN for want of an active model version, or solved to never cross under this
/// one), and nothing else can change by time alone. The engine keeps it as the customer's timer
/// and re-evaluates the customer when a newer version becomes active.
inline constexpr int64_t kWhenAModelIsActive = std::numeric_limits<int64_t>::max();

/// When stream time alone may next change a rule.
struct Wakeup {
  std::optional<int64_t> due_ms;  ///< The earliest time it can.
  /// It reads scores that move with time or wait for a model: a newer model version may change
  /// it sooner than `due_ms`.
  bool model_bound = false;
  /// `due_ms` is where the customer's state alone puts the change (the first millisecond a
  /// comparison flips, a window's next step), not a re-check counted from the evaluation time
  /// (a day later, the 32nd step, the search horizon) and not tied to scores: evaluated again
  /// at any earlier time with the same state, the rule gives the same value and the same
  /// wake-up. RuleSet::evaluate() may then skip it (RuleMemo).
  bool anchored = true;
};

/// What a customer's last evaluation found for each segment (in rules-file order): the wake-up of
/// the rule that could flip it then. RuleSet::evaluate() keeps a segment as it was, without
/// evaluating it, when its rules read no score, its wake-up was anchored and is still ahead, and
/// the state changed since in nothing they read (FeatureInfo::changed_by of the event types
/// applied; affinity() reads the categories): evaluated, it would come out the same. A timer or
/// a new model version changes no feature, so only the segments due then are evaluated. The
/// engine keeps one beside each cached state; a state loaded from the store has none and is
/// evaluated in full, so results never depend on the cache.
struct RuleMemo {
  /// A segment that must be evaluated every time (its wake-up was not anchored, or its rules
  /// hold together, or read a score).
  static constexpr int64_t kEvaluate = std::numeric_limits<int64_t>::min();
  /// A segment that time alone cannot flip.
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  /// Per segment: kEvaluate, kNever or the anchored wake-up's due time (8 bytes each, beside every
  /// cached state). Empty: nothing remembered.
  std::vector<int64_t> due_ms;
  uint64_t rules_epoch = 0;  ///< The rules they were found with (PartitionProcessor's count).
};

/// The outcome of evaluating every segment for one customer.
struct Evaluation {
  std::vector<SegmentChange> changes;  ///< In rules-file order.
  /// When time alone may flip a rule next (or kWhenAModelIsActive); nullopt: it cannot.
  std::optional<int64_t> next_due_ms;
  /// The timer rests on model scores: the engine fires it early when a model version newer than
  /// the evaluation's becomes active.
  bool model_bound = false;
};

/// Compiled segment rules: immutable once built, safe to share between partitions (threads).
class RuleSet {
 public:
  /// Parses and compiles every rule. Errors name the segment and the position:
  /// `rule_syntax`, `rule_unknown_name`, `rule_bad_call`, `rule_duplicate_segment`, `rule_empty`,
  /// `rule_bad_name` (a name longer than kMaxSegmentNameBytes or with other characters).
  [[nodiscard]] static Result<std::shared_ptr<const RuleSet>> compile(
      std::vector<SegmentDefinition> definitions);

  /// Re-evaluates every segment for `state` at `ctx.at` and updates `state.segments`. Each
  /// membership change comes back as a SegmentChange with `event_id`
  /// `<customer>/<segment>/<state.version>`. Pure apart from `state.segments`.
  /// With `memo` (the customer's last evaluation under these rules, or an empty one), segments
  /// that neither `touched` (the types of the events applied since) nor `ctx.at` can change are
  /// kept as they were (see RuleMemo); the memo is then brought up to date.
  [[nodiscard]] Evaluation evaluate(CustomerState& state,
                                    const FeatureVector& features,
                                    const ScoreVector& scores,
                                    const EvaluationContext& ctx,
                                    RuleMemo* memo = nullptr,
                                    EventMask touched = 0) const;

  /// Whether `memo` keeps every segment through `touched` at `at`: then evaluate() would change
  /// nothing and leave the timer where it is.
  [[nodiscard]] bool keeps_all(const RuleMemo& memo, EventMask touched, TimestampMs at) const;

  /// Why the customer is in each of `state.segments`: rule text and the values it read.
  [[nodiscard]] std::vector<SegmentChange> explain(const CustomerState& state,
                                                   const FeatureVector& features,
                                                   const ScoreVector& scores,
                                                   TimestampMs at) const;

  [[nodiscard]] const std::vector<SegmentDefinition>& definitions() const { return definitions_; }
  /// The scores any rule reads: evaluation computes only those.
  [[nodiscard]] ScoreMask scores_used() const { return scores_used_; }
  /// The features evaluation must compute: the ones any rule reads, or all of them once a rule
  /// reads a score (models score from features).
  [[nodiscard]] const FeatureMask& features_needed() const { return features_needed_; }

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  struct Compiled;

 private:
  RuleSet(std::vector<SegmentDefinition> definitions, std::vector<Compiled> compiled);
  // Whether segment `i`, remembered as `due_ms` (RuleMemo), keeps its membership and wake-up
  // through `touched` at `at`.
  [[nodiscard]] bool keeps(size_t i, int64_t due_ms, EventMask touched, TimestampMs at) const;
  // Members of segments the rules no longer define leave them (after a rule reload).
  void exit_removed_segments(CustomerState& state,
                             const EvaluationContext& ctx,
                             Evaluation& out) const;

  std::vector<SegmentDefinition> definitions_;
  std::vector<Compiled> compiled_;
  std::vector<std::string> sorted_names_;  ///< The definitions' names, sorted.
  ScoreMask scores_used_ = 0;
  FeatureMask features_needed_;
};

}  // namespace segd::core
