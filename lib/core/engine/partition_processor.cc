#include "core/engine/partition_processor.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "core/common/check.h"
#include "core/features/feature_update.h"
#include "core/features/feature_values.h"

namespace segd::core {
namespace {

// What take_batch() reads of a state: the start of its allocation (make_shared puts the reference
// count just before the object, the id at its start) and its timer.
void prefetch_for_take(const CustomerState& s) {
  const auto* start = reinterpret_cast<const char*>(&s);
  __builtin_prefetch(start - 2 * sizeof(void*));
  __builtin_prefetch(start);
  __builtin_prefetch(&s.timer_due_ms);
}

}  // namespace

PartitionProcessor::PartitionProcessor(PartitionId partition,
                                       std::shared_ptr<const RuleSet> rules,
                                       std::shared_ptr<const Scorer> scorer,
                                       StateReader& reader,
                                       PartitionRestore restore,
                                       Options options)
    : partition_(partition),
      rules_(std::move(rules)),
      scorer_(std::move(scorer)),
      reader_(reader),
      options_(options),
      stream_time_ms_(restore.stream_time_ms),
      erasures_(restore.erasures) {
  CHECK(rules_ != nullptr);
  CHECK(scorer_ != nullptr);
  if (scorer_->version() != 0) {
    activations_.emplace_back(scorer_->version(), restore.stream_time_ms);
  }
  for (const Timer& timer : restore.timers) {
    add_timer(timer);
  }
}

void PartitionProcessor::add_timer(const Timer& timer) {
  timers_.insert(timer.key());
  if (timer.model_version) {
    model_timers_.emplace(std::pair{*timer.model_version, timer.customer_id}, timer.due_ms);
  }
}

std::optional<int64_t> PartitionProcessor::stored_timer_model(const std::string& id) const {
  // One look per version bound to: versions are few.
  for (auto it = model_timers_.begin(); it != model_timers_.end();
       it = model_timers_.lower_bound(std::pair{it->first.first + 1, std::string()})) {
    if (model_timers_.contains(std::pair{it->first.first, id})) {
      return it->first.first;
    }
  }
  return std::nullopt;
}

Result<PartitionProcessor::CacheEntry*> PartitionProcessor::load(const std::string& id) {
  auto it = cache_.find(id);
  if (it != cache_.end()) {
    CacheEntry& entry = it->second;
    if (entry.state.use_count() > 1) {
      // A BatchDelta still holds this version (a commit in flight): change a copy.
      entry.state = std::make_shared<CustomerState>(*entry.state);
    }
    return &entry;
  }
  auto stored = reader_.get_customer(id);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  const bool erased = erased_since_store(id);
  CustomerState state;
  if (stored->has_value() && !erased) {
    state = std::move(**stored);
  } else {
    state.incarnation = erasures_;
  }
  state.customer_id = id;
  const int64_t stored_due = state.timer_due_ms;
  // A state and its timer record are written in one batch: a state whose timer the partition's
  // index lacks was damaged (or written by something else), and would abort on its next timer.
  if (stored_due != 0 && !timers_.contains(TimerKey{stored_due, id})) {
    return fail("corrupt_state", "customer '" + id + "' has a timer due at " +
                                     std::to_string(stored_due) +
                                     " ms that the timers family does not hold");
  }
  const std::optional<int64_t> model =
      stored_due != 0 && !model_timers_.empty() ? stored_timer_model(id) : std::nullopt;
  return &cache_
              .emplace(id, CacheEntry{std::make_shared<CustomerState>(std::move(state)),
                                      false,
                                      stored_due,
                                      model,
                                      model,
                                      {}})
              .first->second;
}

void PartitionProcessor::mark_dirty(CacheEntry& entry) {
  if (!entry.dirty) {
    entry.dirty = true;
    dirty_.push_back(&entry);
  }
}

Result<std::optional<CustomerState>> PartitionProcessor::customer(const std::string& id) {
  if (auto it = cache_.find(id); it != cache_.end()) {
    return *it->second.state;
  }
  if (erased_since_store(id)) {
    return std::optional<CustomerState>{};
  }
  return reader_.get_customer(id);
}

void PartitionProcessor::clear_timer(CacheEntry& entry) {
  CustomerState& state = *entry.state;
  if (state.timer_due_ms != 0) {
    // The state owns its one pending timer: the index must hold it.
    CHECK(timers_.erase(TimerKey{state.timer_due_ms, state.customer_id}) == 1);
    state.timer_due_ms = 0;
    if (entry.timer_model) {
      CHECK(model_timers_.erase(std::pair{*entry.timer_model, state.customer_id}) == 1);
      entry.timer_model.reset();
    }
  }
}

void PartitionProcessor::reschedule(CacheEntry& entry,
                                    std::optional<int64_t> due_ms,
                                    std::optional<int64_t> model_version) {
  CustomerState& state = *entry.state;
  // The timer always sits at the earliest time a rule can flip: moving it costs two in-memory set
  // operations (the store sees the batch's final timer of each customer), while a stale early
  // wake-up would cost a whole evaluation.
  if (state.timer_due_ms == due_ms.value_or(0) && entry.timer_model == model_version) {
    return;
  }
  clear_timer(entry);
  if (due_ms) {
    add_timer(Timer{*due_ms, state.customer_id, model_version});
    state.timer_due_ms = *due_ms;
    entry.timer_model = model_version;
  }
}

void PartitionProcessor::add_model(std::shared_ptr<const Scorer> scorer, int64_t active_from_ms) {
  CHECK(scorer != nullptr);
  // A version whose time has passed takes over now (every timer due by now has fired): customers
  // waiting for a model see it from now on, never before what they were last evaluated at.
  const int64_t from = std::max(active_from_ms, stream_time_ms_);
  auto pos = std::upper_bound(pending_models_.begin(), pending_models_.end(), from,
                              [](int64_t t, const auto& m) { return t < m.first; });
  pending_models_.insert(pos, {from, std::move(scorer)});
  activate_models(stream_time_ms_);
}

void PartitionProcessor::activate_models(int64_t up_to_ms) {
  while (!pending_models_.empty() && pending_models_.front().first <= up_to_ms) {
    if (pending_models_.front().second->version() > scorer_->version()) {
      scorer_ = std::move(pending_models_.front().second);
      activations_.emplace_back(scorer_->version(), pending_models_.front().first);
    }
    pending_models_.erase(pending_models_.begin());
  }
}

std::optional<int64_t> PartitionProcessor::activation_after(int64_t version) const {
  const auto active =
      std::upper_bound(activations_.begin(), activations_.end(), version,
                       [](int64_t v, const std::pair<int64_t, int64_t>& a) { return v < a.first; });
  if (active != activations_.end()) {
    return active->second;
  }
  // Pending versions take over in time order, each if it is newer than the one active then.
  for (const auto& [from, scorer] : pending_models_) {
    if (scorer->version() > std::max(version, scorer_->version())) {
      return from;
    }
  }
  return std::nullopt;
}

void PartitionProcessor::catch_up_model(CacheEntry& entry, TimestampMs at) {
  CustomerState& s = *entry.state;
  if (s.version == 0 || s.model_version == scorer_->version()) {
    return;
  }
  if (rules_->scores_used() == 0) {
    // No rule reads a score, so the new version cannot change a decision: the customer only
    // takes its number. (Both callers evaluate at the same time right after, which reschedules.)
    s.model_version = scorer_->version();
    return;
  }
  s.version += 1;
  evaluate(entry, at, CauseKind::kModel, {}, 0);
}

void PartitionProcessor::evaluate(CacheEntry& entry,
                                  TimestampMs at,
                                  CauseKind cause,
                                  std::string_view event_id,
                                  EventMask touched) {
  CustomerState& state = *entry.state;
  state.model_version = scorer_->version();
  RuleMemo* memo = nullptr;
  if (!options_.evaluate_all_rules) {
    // Every evaluation of the entry goes through its memo, so the memo is always its last one.
    memo = &entry.memo;
    if (memo->rules_epoch != rules_epoch_) {
      memo->due_ms.clear();
      memo->rules_epoch = rules_epoch_;
    }
    // An event leaves the customer's timer in place (a timer firing has taken it out already).
    if (cause == CauseKind::kEvent && rules_->keeps_all(*memo, touched, at)) {
      mark_dirty(entry);  // Nothing to evaluate; the timer stays.
      return;
    }
  }
  const FeatureVector features = compute_features(state, at, rules_->features_needed());
  const ScoreVector scores = scorer_->score(state, features, at, rules_->scores_used());
  const EvaluationContext ctx{at, scorer_->version(), cause, event_id, scorer_.get()};
  Evaluation result = rules_->evaluate(state, features, scores, ctx, memo, touched);
  stats_.changes += static_cast<int64_t>(result.changes.size());
  for (SegmentChange& c : result.changes) {
    outbox_.push_back(std::move(c));
  }
  reschedule(entry, result.next_due_ms,
             result.model_bound ? std::optional<int64_t>(scorer_->version()) : std::nullopt);
  mark_dirty(entry);
}

std::optional<PartitionProcessor::DueTimer> PartitionProcessor::next_due_timer(int64_t up_to_ms) {
  std::optional<DueTimer> next;
  if (const TimerKey* first = timers_.earliest(); first != nullptr && first->due_ms <= up_to_ms) {
    next = DueTimer{*first, first->due_ms};
  }
  // Model-bound timers of a version older than one active by `up_to_ms` are all due at that
  // one's activation, in customer order, unless their own due time comes first (timers_ gives
  // those first). Versions are few: one look per version.
  for (auto it = model_timers_.begin(); it != model_timers_.end();
       it = model_timers_.lower_bound(std::pair{it->first.first + 1, std::string()})) {
    const auto& [model, id] = it->first;
    const std::optional<int64_t> at = activation_after(model);
    if (!at || *at > up_to_ms) {
      continue;
    }
    if (!next || std::tie(*at, id) < std::tie(next->at_ms, next->key.customer_id)) {
      next = DueTimer{TimerKey{it->second, id}, *at};
    }
  }
  return next;
}

Result<bool> PartitionProcessor::fire_timers(int64_t up_to_ms, size_t max_timers) {
  for (size_t fired = 0;; ++fired) {
    const std::optional<DueTimer> next = next_due_timer(up_to_ms);
    if (!next) {
      break;
    }
    if (fired == max_timers) {
      return false;
    }
    // Stream time moves with the timers: a batch committed in the middle of a burst stores the
    // time of the last one fired, and every timer due by a stored stream time has fired. (Stored
    // ahead of them, a restart would activate a model version, and fire the rest, at that later
    // time instead.)
    move_stream_time(next->at_ms);
    activate_models(next->at_ms);
    auto state = load(next->key.customer_id);
    if (!state) {
      return std::unexpected(state.error());
    }
    CustomerState& s = *(*state)->state;
    // The state owns its one pending timer; clear_timer() removes this key.
    if (s.timer_due_ms != next->key.due_ms) {
      return fail("corrupt_state", "the timers family holds a timer due at " +
                                       std::to_string(next->key.due_ms) + " ms for customer '" +
                                       next->key.customer_id + "', whose state has none there");
    }
    s.version += 1;
    stats_.timers_fired += 1;
    clear_timer(**state);
    catch_up_model(**state, TimestampMs{next->at_ms});
    evaluate(**state, TimestampMs{next->at_ms}, CauseKind::kTimer, {}, 0);
  }
  move_stream_time(up_to_ms);
  activate_models(up_to_ms);
  return true;
}

void PartitionProcessor::move_stream_time(int64_t to_ms) {
  if (to_ms > stream_time_ms_) {
    stream_time_ms_ = to_ms;
    stream_time_dirty_ = true;
  }
}

Result<bool> PartitionProcessor::advance_stream_time(int64_t stream_time_ms, size_t max_timers) {
  return fire_timers(std::max(stream_time_ms, stream_time_ms_), max_timers);
}

Result<Outcome> PartitionProcessor::process(const Event& event) {
  if (auto fired = advance_stream_time(event.ts.value()); !fired) {
    return std::unexpected(fired.error());
  }
  if (event.type == EventType::kErasure) {
    // Not remembered for deduplication: the memory goes with the customer. A repeated erasure
    // erases whatever the customer did since.
    auto erased = erase(event.customer_id, event.event_id);
    if (!erased) {
      return std::unexpected(erased.error());
    }
    stats_.processed += 1;
    return erased->has_value() ? Outcome::kProcessed : Outcome::kNothingToErase;
  }
  auto state = load(event.customer_id);
  if (!state) {
    return std::unexpected(state.error());
  }
  CustomerState& s = *(*state)->state;
  if (remember_event(s, event) == Novelty::kDuplicate) {
    stats_.duplicates += 1;
    return Outcome::kDuplicate;
  }
  catch_up_model(**state, TimestampMs{stream_time_ms_});
  apply_event_features(s, event);
  s.version += 1;
  stats_.processed += 1;
  evaluate(**state, TimestampMs{stream_time_ms_}, CauseKind::kEvent, event.event_id,
           event_bit(event.type));
  return Outcome::kProcessed;
}

Result<std::optional<std::vector<std::string>>> PartitionProcessor::erase(
    const std::string& id, std::string_view cause_event_id) {
  auto loaded = customer(id);
  if (!loaded) {
    return std::unexpected(loaded.error());
  }
  if (!loaded->has_value()) {
    return std::optional<std::vector<std::string>>{};
  }
  auto state = load(id);
  if (!state) {
    return std::unexpected(state.error());
  }
  CustomerState& s = *(*state)->state;
  std::vector<std::string> exited = s.segments;
  for (const std::string& segment : exited) {
    s.version += 1;
    SegmentChange change;
    change.event_id = change_event_id(id, segment, s.incarnation, s.version);
    change.customer_id = id;
    change.segment = segment;
    change.change = ChangeKind::kExit;
    change.at = TimestampMs{stream_time_ms_};
    change.model_version = scorer_->version();
    change.cause = CauseKind::kErasure;
    change.cause_event_id = std::string(cause_event_id);
    change.reason = "erasure";
    outbox_.push_back(std::move(change));
    stats_.changes += 1;
  }
  clear_timer(**state);
  erasures_ += 1;
  erasures_dirty_ = true;
  if ((*state)->dirty) {
    std::erase(dirty_, *state);
  }
  cache_.erase(id);
  erased_.insert(id);
  return std::optional<std::vector<std::string>>{std::move(exited)};
}

BatchDelta PartitionProcessor::take_batch() {
  BatchDelta delta;
  // An id erased and then seen again in the same batch is simply overwritten by its fresh state.
  // Its timer record goes too; a fresh state's timer, if any, is put after the deletes.
  for (const std::string& id : erased_) {
    auto it = cache_.find(id);
    if (it == cache_.end() || !it->second.dirty) {
      delta.customers_deleted.push_back(id);
    }
    delta.timers_deleted.emplace_back(partition_, id);
  }
  erased_in_flight_.merge(erased_);
  erased_.clear();
  delta.customers_put.reserve(dirty_.size());
  // The batch's entries and states went cold since their events, and each is read here at a
  // cache miss or two (its reference count, its timer): they are asked for some places ahead.
  constexpr size_t kEntriesAhead = 16;
  constexpr size_t kStatesAhead = 8;
  for (size_t i = 0; i < dirty_.size(); ++i) {
    if (i + kEntriesAhead < dirty_.size()) {
      __builtin_prefetch(dirty_[i + kEntriesAhead]);
    }
    if (i + kStatesAhead < dirty_.size()) {
      prefetch_for_take(*dirty_[i + kStatesAhead]->state);
    }
    CacheEntry* entry = dirty_[i];
    const CustomerState& s = *entry->state;
    delta.customers_put.push_back(entry->state);
    const std::optional<int64_t> model = entry->timer_model;
    if (s.timer_due_ms != entry->stored_timer_due_ms || model != entry->stored_timer_model) {
      if (s.timer_due_ms != 0) {
        delta.timers_put.emplace_back(partition_, Timer{s.timer_due_ms, s.customer_id, model});
      } else {
        delta.timers_deleted.emplace_back(partition_, s.customer_id);
      }
      entry->stored_timer_due_ms = s.timer_due_ms;
      entry->stored_timer_model = model;
    }
    entry->dirty = false;
  }
  dirty_.clear();
  if (stream_time_dirty_) {
    delta.stream_times.emplace_back(partition_, stream_time_ms_);
    stream_time_dirty_ = false;
  }
  if (erasures_dirty_) {
    delta.erasure_counts.emplace_back(partition_, erasures_);
    erasures_dirty_ = false;
  }
  delta.outbox = std::move(outbox_);
  outbox_.clear();
  return delta;
}

bool PartitionProcessor::erased_since_store(const std::string& id) const {
  return erased_.contains(id) || erased_in_flight_.contains(id);
}

void PartitionProcessor::trim_cache() {
  // Every batch taken so far is in the store, with the deletes of the customers erased in it.
  erased_in_flight_.clear();
  if (cache_.size() <= options_.cache_capacity) {
    return;
  }
  // Clean states are, the caller says, in the store. Dirty ones belong to the batch in progress
  // and stay (dirty_ points at them; erasing other nodes leaves them where they are).
  absl::erase_if(cache_, [](const auto& entry) { return !entry.second.dirty; });
}

}  // namespace segd::core
