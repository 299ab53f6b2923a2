#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/engine/partition_processor.h"
#include "core/models/model_snapshot.h"
#include "io/kafka/handles.h"
#include "io/log/failure_summary.h"
#include "io/pipeline/dead_letter_record.h"
#include "io/pipeline/outbox_drainer.h"
#include "io/pipeline/pipeline_config.h"
#include "io/pipeline/pipeline_stats.h"
#include "io/pipeline/producer.h"
#include "io/pipeline/segment_members.h"
#include "io/pipeline/topic_merger.h"
#include "io/replay/model_store.h"
#include "io/state/background_commit.h"
#include "io/state/rocks_store.h"

namespace segd::io {

/// Hooks for processing-time metrics, called on the pipeline thread.
struct PipelineObserver {
  std::function<void(double seconds, size_t events)> on_batch;
  /// Wall time minus event time of the events processed in one loop iteration (a consumed chunk).
  std::function<void(std::span<const double> seconds)> on_event_lags;
};

/// A refit boundary the pipeline has passed: the stored customers pinned right after the commit
/// before it (set on the writing thread), and whose customers to train on.
struct PendingRefit {
  int64_t as_of_ms = 0;
  std::future<CustomerScan> pinned;
  TrainingFilter owned;  ///< The customers of the partitions owned at the boundary.
  std::chrono::steady_clock::time_point passed;  ///< When the pipeline passed the boundary.
};

/// The daemon's consume -> engine -> commit loop. One thread polls the consumer group, decodes
/// and validates each message (bad ones to the dead-letter topic) and runs the partition's
/// engine; state, timers, input offsets and outbox go to RocksDB in one WriteBatch per batch,
/// written on a second thread while the next batch is processed (one write in flight at most).
/// On assignment it seeks to the offsets stored in RocksDB. Group offsets are committed too, for
/// lag monitoring only.
class Pipeline {
 public:
  enum class StopAt : uint8_t { kSignal, kEndOfInput };

  [[nodiscard]] static core::Result<std::unique_ptr<Pipeline>> create(
      const PipelineConfig& config,
      RocksStore& store,
      std::shared_ptr<const core::RuleSet> rules,
      PipelineStats& stats,
      OutboxDrainer& drainer,
      PipelineObserver observer);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Runs until `stop` is set (or, with kEndOfInput, every assigned partition reached its end
  /// and the outbox is drained). Finishes and commits the current batch before returning.
  /// Errors: storage failures and fatal Kafka errors (the process should exit and restart).
  [[nodiscard]] core::Result<void> run(const std::atomic<bool>& stop, StopAt stop_at);

  /// Leaves the group (revoking, so the last batch is committed) and closes the consumer.
  [[nodiscard]] core::Result<void> close();

  /// Runs `fn` on the pipeline thread between messages and waits for it. Thread-safe.
  /// Errors (`fn` did not run): `shutting_down` when run() has returned (or returns before it got
  /// to `fn`); `pipeline_busy` when the pipeline thread did not take `fn` within `wait` (it is
  /// then withdrawn). Once taken, `fn` is waited for however long it takes.
  [[nodiscard]] core::Result<void> execute(const std::function<void(Pipeline&)>& fn,
                                           std::chrono::milliseconds wait);

  // For commands run through execute():
  /// GDPR erasure of one customer (see PartitionProcessor::erase); commits at once.
  [[nodiscard]] core::Result<std::optional<std::vector<std::string>>> erase(const std::string& id);
  /// Switches every partition to `rules` after committing the current batch.
  [[nodiscard]] core::Result<void> replace_rules(std::shared_ptr<const core::RuleSet> rules);
  [[nodiscard]] std::shared_ptr<const core::RuleSet> rules() const { return rules_; }
  /// Every stored model version, oldest first, for views of the state (thread-safe).
  [[nodiscard]] std::vector<ActiveModel> models() const {
    std::lock_guard lock(models_mutex_);
    return models_;
  }

 private:
  /// (index into config_.inputs, partition).
  using TopicPartition = std::pair<size_t, int32_t>;
  Pipeline(const PipelineConfig& config,
           RocksStore& store,
           std::shared_ptr<const core::RuleSet> rules,
           PipelineStats& stats,
           OutboxDrainer& drainer,
           PipelineObserver observer);
  static void on_rebalance(rd_kafka_t* rk,
                           rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions,
                           void* opaque);
  /// Group commits are for lag monitoring only, and fail as a matter of course while the group
  /// rebalances: logged at debug level instead of librdkafka's COMMITFAIL warning.
  static void on_offset_commit(rd_kafka_t* rk,
                               rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* offsets,
                               void* opaque);
  [[nodiscard]] core::Result<void> assign(rd_kafka_topic_partition_list_t* partitions);
  /// A message, or the partition's end, at another offset than `expected` (the one after the
  /// partition's previous message, or its stored position; unset for a partition started at
  /// its beginning): when the broker's log now starts above `expected`, it removed messages
  /// (retention) before segd read them: logs and counts them (lost_to_retention()). An offset
  /// below `expected` (a message's, or a partition's end) is logged as a truncation; librdkafka
  /// itself went on at the partition's beginning (`auto.offset.reset=earliest`). Either way the
  /// position moves to the offset (move_position()), and `expected` with it.
  void check_offset(const rd_kafka_message_t& msg, size_t index, std::optional<int64_t>& expected);
  [[nodiscard]] core::Result<void> revoke();
  /// (topic, partition count) of each input topic that exists, from the broker's metadata.
  [[nodiscard]] core::Result<std::vector<std::pair<std::string, int32_t>>> input_partition_counts();
  /// Sets partition_count_ from every existing input topic and checks it against the state dir
  /// (common_partition_count). `any_assigned`: no topic existing is then an error.
  [[nodiscard]] core::Result<void> refresh_partition_count(bool any_assigned);
  /// Appends what the consumer has now (at most `max`, at most kConsumeChunk messages), or else
  /// waits up to 50 ms for one; rebalance callbacks run inside.
  void consume(std::vector<kafka::MessagePtr>& out, size_t max);
  /// One consumed message: partition end, consumer error or event (see handle). Messages of
  /// partitions no longer assigned are dropped.
  [[nodiscard]] core::Result<void> on_message(const rd_kafka_message_t& msg);
  /// An input event of config_.inputs[index]: dead-lettered, or merged and processed.
  [[nodiscard]] core::Result<void> handle(const rd_kafka_message_t& msg, size_t index);
  [[nodiscard]] core::Result<void> process(int32_t partition, std::vector<TopicMerger::Item> items);
  [[nodiscard]] core::Result<void> process_one(int32_t partition,
                                               const core::Event& event,
                                               size_t topic,
                                               int64_t offset);
  /// Processes what the partition's merger may release now.
  [[nodiscard]] core::Result<void> release_ready(int32_t partition);
  /// Whether the broker is known to hold messages of input `topic` in `partition` that were not
  /// consumed yet (librdkafka's cached high watermark is past the next expected offset); true
  /// while no fetch of it has answered yet.
  [[nodiscard]] bool known_unread(size_t topic, int32_t partition) const;
  /// release_ready() for each partition whose merger holds events back (waiting for a topic).
  [[nodiscard]] core::Result<void> release_held();
  [[nodiscard]] size_t topic_index(std::string_view topic) const;
  /// The message's event once decoded and checked (time, partition); else the dead-letter
  /// reason.
  [[nodiscard]] core::Result<core::Event> accept(const rd_kafka_message_t& msg, size_t index) const;
  /// Dead-letters a rejected message released by the merge, and marks it done.
  [[nodiscard]] core::Result<void> dead_letter_item(int32_t partition,
                                                    const TopicMerger::Item& item);
  [[nodiscard]] core::Result<void> dead_letter(const rd_kafka_message_t& msg,
                                               const core::Error& reason);
  /// Sends the dead letter of the message at `offset` of input `index`'s `partition` (confirmed
  /// before the batch commits) and counts it.
  [[nodiscard]] core::Result<void> dead_letter(size_t index,
                                               int32_t partition,
                                               int64_t offset,
                                               std::optional<std::string_view> key,
                                               std::optional<std::string_view> payload,
                                               const core::Error& reason);
  /// Queues `record` on the dead-letter producer with its original key and value (null kept).
  [[nodiscard]] core::Result<void> produce_dead_letter(const DeadLetterRecord& record,
                                                       uint64_t tag);
  /// Waits until every dead letter of the batch is confirmed; an error at once if one was
  /// refused by the producer (unsent_dead_letter).
  [[nodiscard]] core::Result<void> flush_dead_letters();
  /// Records that the producer refused a dead letter outright (not for a full queue), so that
  /// the batch holding it never commits, and returns `error`.
  [[nodiscard]] core::Result<void> unsent_dead_letter(const core::Error& error);
  /// Serves the dead-letter producer's delivery reports for up to `timeout_ms`: counts the
  /// confirmed ones and produces the failed ones again. Errors: a produce that failed.
  [[nodiscard]] core::Result<void> serve_dead_letter_reports(int timeout_ms);
  /// One wait for dead-letter deliveries (serve_dead_letter_reports(100)). Once a stop was asked
  /// for, waits like this end `config_.drain_timeout` later with `dead_letters_unconfirmed`: the
  /// batch holding them is then not committed, and its input is read again at the next start.
  [[nodiscard]] core::Result<void> await_dead_letter_reports();
  /// Something to run on the writing thread once a batch is in the store, before any later
  /// batch is written.
  using OnceStored = std::move_only_function<void()>;
  /// Takes the batch and starts writing it (after the previous write is done); returns without
  /// waiting for this one. `once_stored`, if given, runs right after this write (or, with nothing
  /// to write, after the previous one, on this thread); not at all when a write fails.
  [[nodiscard]] core::Result<void> commit_batch(OnceStored once_stored = {});
  /// Waits for the write in flight, if any, and reports how it went.
  [[nodiscard]] core::Result<void> wait_for_commit();
  /// commit_batch() and wait_for_commit(): the batch is in the store on return.
  [[nodiscard]] core::Result<void> commit_and_wait();
  /// Starts a refit when `event_ms` crosses a refit boundary (see start_refit).
  [[nodiscard]] core::Result<void> maybe_refit(int64_t event_ms);
  /// Commits, pins the stored customers as of `as_of_ms` and trains the next model version on
  /// them on another thread while processing goes on. The pin is taken on the writing thread as
  /// soon as that commit is stored, so the pipeline does not wait for the write. While a refit
  /// still trains, the pinned boundary waits as next_refit_ and is trained once that one is
  /// stored; only a boundary that finds one waiting already waits for the refit in progress.
  [[nodiscard]] core::Result<void> start_refit(int64_t as_of_ms);
  /// A pinned boundary: trained now, on another thread (refit_), as the config says.
  void launch_refit(PendingRefit refit);
  /// Installs the model of the refit in progress once it is trained (with `wait`, waits for it):
  /// stored and active from just after the largest event time processed so far, so no event
  /// already processed would have been scored differently; then starts next_refit_, if any.
  /// No-op without a refit in progress.
  [[nodiscard]] core::Result<void> finish_refit(bool wait);
  /// The part of finish_refit() that takes the trained version (refit_, ready) and installs it.
  [[nodiscard]] core::Result<void> install_refit();
  /// finish_refit() until no refit trains or waits: every boundary passed has its version.
  [[nodiscard]] core::Result<void> finish_refits();
  void run_commands();
  /// Records that the message at `offset` of `tp` is processed or dead-lettered.
  void mark_done(TopicPartition tp, int64_t offset);
  /// Moves where reading `tp` resumes to `next`, at this point of its reading: at once when none
  /// of the messages read from it so far waits in the merge, else once the last of those is
  /// done (mark_done()). For a partition found to end past the position reached (retention
  /// removed what segd had not read) or to begin or end below it (truncated or recreated).
  void move_position(TopicPartition tp, int64_t next);
  /// Where reading `tp` resumes after this batch: `next` (its next_offsets_ entry), or the
  /// first of its events the merge holds or process() has not processed yet.
  [[nodiscard]] int64_t resume_offset(TopicPartition tp, int64_t next) const;
  /// From now on execute() fails with `shutting_down`, and so do the commands waiting.
  void stop_commands();
  /// run()'s loop and its last commit.
  [[nodiscard]] core::Result<void> run_loop(const std::atomic<bool>& stop, StopAt stop_at);
  /// Hands the event lags gathered since the last call to the observer.
  void observe_event_lags();
  /// Reads the clocks once per loop iteration (merge waits, batch age, event-lag metric).
  void tick();
  void update_gauges();
  /// update_gauges() when the last update is a second old: from the loop, and from waits inside
  /// a batch (dead letters), during which lag must keep showing.
  void update_gauges_every_second();
  [[nodiscard]] bool at_end_of_input() const;
  /// Pauses consumption of every assigned partition once config_.outbox_max_pending changes are
  /// pending in the outbox, and resumes it once at most half as many are: an output outage must
  /// not grow the outbox without bound. Called once per loop iteration. Events already consumed
  /// are still processed; librdkafka drops what it fetched ahead, and a resume seeks each
  /// partition to the offset after the last message received (seek_to_positions).
  void apply_backpressure();
  /// Logs a failed pause or resume, once until one succeeds.
  void warn_backpressure_once(const std::string& message);
  /// Pauses or resumes `partitions`. assign() gives new ones the current state once segd has
  /// ever paused (one paused before a revocation would stay paused in librdkafka when assigned
  /// again). Errors: `kafka.*`, including the first partition's own error.
  [[nodiscard]] core::Result<void> set_fetching(rd_kafka_topic_partition_list_t* partitions,
                                                bool paused);
  /// Seeks `partitions` to where segd's reading of them stands (reading_; the beginning when no
  /// message came yet) and waits until librdkafka's fetchers are there. Errors: `kafka.*`.
  [[nodiscard]] core::Result<void> seek_to_positions(rd_kafka_topic_partition_list_t* partitions);

  /// Most messages taken from the consumer per loop iteration: the per-iteration work (clock
  /// reads, merge releases, refit and command checks) is shared by a chunk.
  static constexpr size_t kConsumeChunk = 256;

  const PipelineConfig& config_;
  RocksStore& store_;
  std::shared_ptr<const core::RuleSet> rules_;
  PipelineStats& stats_;
  OutboxDrainer& drainer_;
  PipelineObserver observer_;
  std::unique_ptr<Producer> dlq_;
  std::map<int32_t, std::unique_ptr<core::PartitionProcessor>> processors_;
  std::map<int32_t, TopicMerger> mergers_;  ///< Event-time merge of the input topics.
  std::set<int32_t> holding_;               ///< Partitions whose merger holds events back.
  int32_t partition_count_ = 0;  ///< Of every input topic; 0 before the first assignment.
  /// Of this batch: after the last message processed or dead-lettered, per input partition.
  std::map<TopicPartition, int64_t> next_offsets_;
  /// A move_position() that waits for the message at offset `after` to be done.
  struct PositionMove {
    int64_t after = 0;
    int64_t next = 0;
  };
  /// Per input partition, in the order they were found.
  std::map<TopicPartition, std::deque<PositionMove>> position_moves_;
  /// Events process() took from a partition's merger and has not processed yet: a refit's
  /// commit amid them resumes at them. Empty outside process().
  std::span<const TopicMerger::Item> releasing_;
  int32_t releasing_partition_ = -1;
  /// Where an assigned input partition's reading stands.
  struct Reading {
    bool at_end = false;
    /// The offset after the previous message (or the stored position); none before the first
    /// message of a partition started at its beginning.
    std::optional<int64_t> expected;
  };
  std::map<TopicPartition, Reading> reading_;  ///< Assigned partitions.
  bool caught_up_ = false;  ///< Every assigned partition was read to its end since assignment.
  bool paused_ = false;     ///< Consumption paused by apply_backpressure().
  /// apply_backpressure() has asked librdkafka for a pause since the start (see assign()).
  bool ever_paused_ = false;
  bool backpressure_failing_ = false;  ///< The last pause or resume failed (and was logged).
  std::chrono::steady_clock::time_point paused_since_;
  mutable std::mutex models_mutex_;
  /// Stored, oldest first. Changed on the pipeline thread only, under models_mutex_.
  std::vector<ActiveModel> models_;
  int64_t global_stream_ms_ = 0;        ///< Largest event time over the assigned partitions.
  int64_t latest_model_as_of_ms_ = -1;  ///< trained_as_of of the newest model (or refit).
  /// The refit in progress (see start_refit), whose boundary passed at refit_started_.
  std::future<core::Result<core::models::ModelSnapshot>> refit_;
  std::chrono::steady_clock::time_point refit_started_;
  /// A boundary that passed while refit_ trained, pinned, to train once that one is stored.
  std::optional<PendingRefit> next_refit_;
  SegmentMembers members_;                      ///< Of the owned partitions.
  std::vector<DeadLetterRecord> dead_letters_;  ///< Sent in this batch, confirmed before commit.
  size_t dead_letters_confirmed_ = 0;           ///< Of dead_letters_.
  /// Dead-letter delivery failures, logged as a count in an outage.
  FailureSummary dead_letter_failures_{"delivery", "deliveries", std::chrono::seconds(10)};
  std::optional<core::Error> dead_letter_unsent_;  ///< A dead letter the producer refused.
  const std::atomic<bool>* stop_ = nullptr;        ///< run()'s stop flag; a set one after run().
  /// When waits for dead-letter deliveries give up: set once a stop was asked for.
  std::optional<std::chrono::steady_clock::time_point> dead_letters_deadline_;
  std::vector<TopicCounts> batch_counts_;  ///< Per input topic; added to stats_ at each commit.
  BackgroundCommit commit_;                ///< The batch being written beside the next one.
  size_t batch_events_ = 0;
  /// The processors hold changes that no consumed event accounts for (a burst of timers fired in
  /// steps, an erasure by the admin API): the next commit_batch() writes them.
  bool uncounted_changes_ = false;
  /// Per partition: the processor's timers_fired already added to stats_.
  std::map<int32_t, int64_t> timers_reported_;
  std::chrono::steady_clock::time_point loop_now_ = std::chrono::steady_clock::now();
  int64_t loop_wall_ms_ = 0;        ///< Wall clock, for the event-lag metric only.
  std::vector<double> event_lags_;  ///< Not yet observed (see observe_event_lags).
  std::chrono::steady_clock::time_point batch_started_;
  std::chrono::steady_clock::time_point gauges_updated_;
  core::Error fatal_;  ///< Set by callbacks (no exceptions across librdkafka).
  bool failed_ = false;
  /// A command waiting for the pipeline thread; `ran` tells execute() whether it ran.
  struct Command {
    const std::function<void(Pipeline&)>* fn;
    std::promise<bool>* ran;
  };
  std::mutex commands_mutex_;
  std::vector<Command> commands_;  ///< Guarded by commands_mutex_.
  bool commands_stopped_ = false;  ///< Guarded by commands_mutex_.
  /// Destroyed right after consumer_queue_ (declared last), while the members above still exist.
  kafka::KafkaPtr consumer_;
  /// The consumer's queue (messages, rebalances), taken in chunks (set up by create());
  /// destroyed before consumer_.
  kafka::QueuePtr consumer_queue_;
};

}  // namespace segd::io
