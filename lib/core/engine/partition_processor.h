#pragma once

#include <absl/container/btree_map.h>
#include <absl/container/node_hash_map.h>

#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/engine/scorer.h"
#include "core/engine/state_store.h"
#include "core/engine/timer_queue.h"
#include "core/events/event.h"
#include "core/segments/rule_set.h"

namespace segd::core {

/// Counters a processor keeps; adapters export them as metrics.
struct EngineStats {
  int64_t processed = 0;
  int64_t duplicates = 0;
  int64_t timers_fired = 0;
  int64_t changes = 0;

  bool operator==(const EngineStats&) const = default;
};

/// What process() did with an event. kNothingToErase: an erasure event of a customer without
/// state (processed all the same; its audit line says so).
enum class Outcome : uint8_t { kProcessed, kDuplicate, kNothingToErase };

/// The engine for one partition: turns its ordered events into customer state and
/// SegmentChanges. Stream time is the largest event time seen; before each event, every timer due
/// by the new stream time fires in (due, customer) order, evaluated at its due time. Results do
/// not depend on how events are grouped into batches. Single-threaded; no I/O of its own (reads
/// through StateReader, writes through take_batch()).
class PartitionProcessor {
 public:
  struct Options {
    size_t cache_capacity = 200'000;  ///< Default: 200k clean customer states kept warm.
    /// The largest cache_capacity segd's engine.cache_customers and replay's flag accept.
    static constexpr int64_t kMaxCacheCapacity = 100'000'000;
    /// Evaluates every rule at every event, instead of only the rules an event's type can change
    /// (RuleMemo). The results are the same; `segctl replay --evaluate-all-rules` checks that.
    bool evaluate_all_rules = false;
  };

  PartitionProcessor(PartitionId partition,
                     std::shared_ptr<const RuleSet> rules,
                     std::shared_ptr<const Scorer> scorer,
                     StateReader& reader,
                     PartitionRestore restore,
                     Options options);

  /// Applies one validated event; an erasure event erases its customer at this point of the
  /// stream (as erase(), with the event as the exits' cause). Errors: storage failures from the
  /// StateReader.
  [[nodiscard]] Result<Outcome> process(const Event& event);

  /// GDPR erasure: emits an exit (cause kErasure, at the current stream time) for every segment
  /// the customer is in, then forgets the customer entirely: state, timer and dedup memory. Later
  /// events for the id start fresh. Returns the segments exited; nullopt when the id is unknown.
  [[nodiscard]] Result<std::optional<std::vector<std::string>>> erase(
      const std::string& id, std::string_view cause_event_id = {});

  /// Fires the timers due by `stream_time_ms`, at most `max_timers` of them, in order, and then
  /// moves stream time there (when later); while timers are left, stream time is the time of the
  /// last one fired. Returns whether none is left due. A caller about to process an event calls
  /// it first with a bound and commits a batch between the calls, so a burst of timers (every
  /// buyer re-checked at a day boundary, every customer waiting for the first model version) is
  /// written in bounded batches; process() fires whatever is left. Results do not depend on the
  /// bound.
  [[nodiscard]] Result<bool> advance_stream_time(
      int64_t stream_time_ms, size_t max_timers = std::numeric_limits<size_t>::max());

  /// advance_stream_time() in steps of at most `max_timers` until no timer due by
  /// `stream_time_ms` is left, calling `between()` (which commits a batch) after each step that
  /// leaves some. Errors: those of the steps and of `between()`.
  template <typename Between>
  [[nodiscard]] Result<void> fire_due_timers_in_batches(int64_t stream_time_ms,
                                                        size_t max_timers,
                                                        Between&& between) {
    while (true) {
      auto done = advance_stream_time(stream_time_ms, max_timers);
      if (!done) {
        return std::unexpected(done.error());
      }
      if (*done) {
        return {};
      }
      if (auto r = between(); !r) {
        return r;
      }
    }
  }

  /// The SegmentChanges emitted since the last call, in emission order; take_batch() returns
  /// only those not taken here. Lets a caller keep one global output order across partitions.
  [[nodiscard]] std::vector<SegmentChange> take_changes() { return std::exchange(outbox_, {}); }

  /// Everything changed since the last call, ready to commit. Afterwards the cache holds only
  /// clean states. The delta shares the states with the cache (no copies); a state changed while
  /// a delta still holds it is copied first, so a delta never changes after it is taken.
  [[nodiscard]] BatchDelta take_batch();

  /// Forgets every clean cached state once there are more than Options::cache_capacity; the
  /// states of the batch in progress stay. Call only when every batch taken so far is in the
  /// store (the cache is what keeps a batch whose commit is still in flight readable).
  void trim_cache();

  /// The current state of a customer as this processor sees it (cache, then store).
  [[nodiscard]] Result<std::optional<CustomerState>> customer(const std::string& id);

  /// Swaps the rules used from the next event or timer on (a live rule reload).
  void set_rules(std::shared_ptr<const RuleSet> rules) {
    rules_ = std::move(rules);
    rules_epoch_ += 1;  // Every RuleMemo found with the old rules is void.
  }

  /// Schedules a model version: it scores every evaluation at stream time >= `active_from_ms`
  /// (timers due earlier still use the model before it). A customer evaluated under an older
  /// version is first re-evaluated under the new one at its next event or timer; changes that
  /// causes carry cause kModel. Model-bound timers (Evaluation::model_bound: rules that read
  /// scores) computed under an older version are due when the version becomes active, if not
  /// before: at `active_from_ms`, or at the current stream time when that has passed it already.
  void add_model(std::shared_ptr<const Scorer> scorer, int64_t active_from_ms);
  [[nodiscard]] int64_t model_version() const { return scorer_->version(); }

  [[nodiscard]] int64_t stream_time_ms() const { return stream_time_ms_; }
  [[nodiscard]] const EngineStats& stats() const { return stats_; }
  [[nodiscard]] PartitionId partition() const { return partition_; }

 private:
  struct CacheEntry {
    std::shared_ptr<CustomerState> state;  ///< Shared with the last BatchDelta until it is gone.
    bool dirty = false;
    int64_t stored_timer_due_ms = 0;  ///< The timer the store holds for the customer; 0: none.
    std::optional<int64_t> stored_timer_model;  ///< And the model version it is bound to.
    std::optional<int64_t> timer_model;  ///< The model version the state's timer is bound to.
    RuleMemo memo;  ///< The state's last evaluation, when it was evaluated since it was loaded.
  };

  /// A timer to fire, and the time it fires at: its due time, or for a model-bound timer the
  /// time a newer model version became active, when that is earlier.
  struct DueTimer {
    TimerKey key;
    int64_t at_ms = 0;
  };

  [[nodiscard]] Result<CacheEntry*> load(const std::string& id);
  void mark_dirty(CacheEntry& entry);
  [[nodiscard]] Result<bool> fire_timers(int64_t up_to_ms, size_t max_timers);
  /// Stream time only moves forward.
  void move_stream_time(int64_t to_ms);
  /// The first timer due by `up_to_ms` in (time, customer) order; nullopt when none is.
  [[nodiscard]] std::optional<DueTimer> next_due_timer(int64_t up_to_ms);
  /// When the first model version newer than `version` became (or, pending, will become)
  /// active; nullopt while none is known.
  [[nodiscard]] std::optional<int64_t> activation_after(int64_t version) const;
  /// The model version the stored timer of `id` is bound to (model_timers_); nullopt when it is
  /// not model-bound.
  [[nodiscard]] std::optional<int64_t> stored_timer_model(const std::string& id) const;
  /// Evaluates the customer's rules at `at`: only those that are due or read what `touched` (the
  /// type of the event just applied; 0 for a timer or a model) can change (RuleMemo).
  void evaluate(CacheEntry& entry,
                TimestampMs at,
                CauseKind cause,
                std::string_view event_id,
                EventMask touched);
  void reschedule(CacheEntry& entry,
                  std::optional<int64_t> due_ms,
                  std::optional<int64_t> model_version);
  void add_timer(const Timer& timer);
  void clear_timer(CacheEntry& entry);
  void activate_models(int64_t up_to_ms);
  void catch_up_model(CacheEntry& entry, TimestampMs at);
  /// Whether `id` was erased after the store's last known state of it: its stored state (and
  /// timer record) may still be there until the delete is written.
  [[nodiscard]] bool erased_since_store(const std::string& id) const;

  PartitionId partition_;
  std::shared_ptr<const RuleSet> rules_;
  uint64_t rules_epoch_ = 0;  ///< How many times the rules were swapped (RuleMemo::rules_epoch).
  std::shared_ptr<const Scorer> scorer_;
  std::vector<std::pair<int64_t, std::shared_ptr<const Scorer>>> pending_models_;  ///< By time.
  /// (version, time it became active) of every version scorer_ has been, in order; a model given
  /// at construction became active at the restored stream time.
  std::vector<std::pair<int64_t, int64_t>> activations_;
  StateReader& reader_;
  Options options_;
  int64_t stream_time_ms_ = 0;
  bool stream_time_dirty_ = false;
  int64_t erasures_ = 0;  ///< Customers erased so far: the incarnation of a new state.
  bool erasures_dirty_ = false;
  TimerQueue timers_;
  /// The model-bound ones among them: (model version, customer) -> due time. A cached customer's
  /// version is CacheEntry::timer_model.
  absl::btree_map<std::pair<int64_t, std::string>, int64_t> model_timers_;
  absl::node_hash_map<std::string, CacheEntry> cache_;  ///< Node-stable: dirty_ points into it.
  std::vector<CacheEntry*> dirty_;                      ///< In first-change order.
  std::set<std::string> erased_;                        ///< Erased in the batch in progress.
  /// Erased in batches already taken, whose writes may still be in flight (until trim_cache()).
  std::set<std::string> erased_in_flight_;
  std::vector<SegmentChange> outbox_;
  EngineStats stats_;
};

}  // namespace segd::core
