// Pipeline: batch commits, dead letters and model refits.
#include <malloc.h>

#include <future>
#include <optional>

#include "core/common/partitioner.h"
#include "core/scoring/model_scorer.h"
#include "io/kafka/errors.h"
#include "io/log/log.h"
#include "io/pipeline/pipeline.h"
#include "io/pipeline/pipeline_internal.h"
#include "io/replay/model_store.h"

// tcmalloc's C interface, present when the program links tcmalloc (segd does, see
// segd_program_heap in cmake/); weak, so that without it the address is null.
// NOLINTNEXTLINE(readability-identifier-naming): tcmalloc's name.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace segd::io {

using detail::seconds_since;
using detail::source_name;

namespace {

// After a refit, hands the heap's free pages back to the system, with whichever allocator the
// program runs on. glibc kept what the refit's thread freed in malloc arenas of the thread's own,
// up to the trim threshold per arena and fragmented beyond it: resident memory grew with the
// customers refit after refit (1.3M customers: 1.6 GB with refits against 474 MB without), so it
// is trimmed after every refit. tcmalloc keeps freed pages for any thread and returns them
// gradually by itself; handing them all back at once is worth it when the next refit is far off
// (a live instance, a refit per `models.refit_every` of real time), not while segd catches up on
// a backlog, where refits come seconds apart and each would fault its training set's pages in
// again (70-100k more page faults per 1M events with 12 refits, 100k customers).
void release_free_heap_after_refit(bool catching_up) {
  if (MallocExtension_ReleaseFreeMemory == nullptr) {
    static_cast<void>(malloc_trim(0));
  } else if (!catching_up) {
    MallocExtension_ReleaseFreeMemory();
  }
}

}  // namespace

core::Result<void> Pipeline::dead_letter(const rd_kafka_message_t& msg, const core::Error& reason) {
  return dead_letter(topic_index(rd_kafka_topic_name(msg.rkt)), msg.partition, msg.offset,
                     kafka_bytes(msg.key, msg.key_len), kafka_bytes(msg.payload, msg.len), reason);
}

core::Result<void> Pipeline::dead_letter_item(int32_t partition, const TopicMerger::Item& item) {
  mark_done({item.topic, partition}, item.offset);
  return dead_letter(item.topic, partition, item.offset, viewed(item.rejected->key),
                     viewed(item.rejected->payload), item.rejected->reason);
}

core::Result<void> Pipeline::dead_letter(size_t index,
                                         int32_t partition,
                                         int64_t offset,
                                         std::optional<std::string_view> key,
                                         std::optional<std::string_view> payload,
                                         const core::Error& reason) {
  const std::string& topic = config_.inputs[index].name;
  DeadLetterRecord dl = fit_dead_letter({{"reason", reason.code},
                                         {"message", reason.message},
                                         {"source_topic", topic},
                                         {"source_partition", std::to_string(partition)},
                                         {"source_offset", std::to_string(offset)}},
                                        key, payload, dlq_->max_message_bytes());
  const uint64_t tag = dead_letters_.size();
  dead_letters_.push_back(std::move(dl));
  TopicCounts& counts = batch_counts_[index];
  counts.consumed += 1;
  counts.dead_lettered[reason.code] += 1;
  for (;;) {
    const DeadLetterRecord& queued = dead_letters_[tag];
    auto sent = produce_dead_letter(queued, tag);
    if (sent) {
      return sent;
    }
    if (!kafka::is_error(sent.error(), RD_KAFKA_RESP_ERR__QUEUE_FULL)) {
      return unsent_dead_letter(sent.error());
    }
    // Make room: serve delivery reports (counted, failures sent again), then try again.
    if (auto served = await_dead_letter_reports(); !served) {
      return served;
    }
  }
}

core::Result<void> Pipeline::produce_dead_letter(const DeadLetterRecord& record, uint64_t tag) {
  // A view without data is Kafka's null (Producer::produce).
  return dlq_->produce(config_.dead_letter_topic, viewed(record.key).value_or(std::string_view()),
                       viewed(record.payload).value_or(std::string_view()), record.headers, tag);
}

core::Result<void> Pipeline::serve_dead_letter_reports(int timeout_ms) {
  const std::vector<Delivery> reports = dlq_->poll(timeout_ms);
  const auto now = FailureSummary::Clock::now();
  const auto warn = [](const std::optional<std::string>& line) {
    if (line) {
      log(LogLevel::kWarn, "dead-letter", *line + "; sent again");
    }
  };
  warn(dead_letter_failures_.due(now));
  for (const Delivery& d : reports) {
    if (d.ok) {
      ++dead_letters_confirmed_;
      continue;
    }
    warn(dead_letter_failures_.failed(d.error, now));
    const DeadLetterRecord& dl = dead_letters_[d.tag];
    if (auto again = produce_dead_letter(dl, d.tag); !again) {
      return unsent_dead_letter(again.error());
    }
  }
  return {};
}

core::Result<void> Pipeline::await_dead_letter_reports() {
  if (auto served = serve_dead_letter_reports(100); !served) {
    return served;
  }
  if (stop_ == nullptr || !stop_->load()) {
    return {};
  }
  // Stopping: the dead-letter topic's brokers get as long as the outbox does, not forever.
  const auto now = std::chrono::steady_clock::now();
  if (!dead_letters_deadline_) {
    dead_letters_deadline_ = now + config_.drain_timeout;
  }
  if (now < *dead_letters_deadline_) {
    return {};
  }
  return core::fail(
      "dead_letters_unconfirmed",
      std::to_string(dead_letters_.size() - dead_letters_confirmed_) + " dead letters to '" +
          config_.dead_letter_topic +
          "' were not confirmed within outbox.shutdown_drain_timeout_ms of the stop; the batch "
          "that holds them is not committed, and its input is read again at the next start");
}

core::Result<void> Pipeline::maybe_refit(int64_t event_ms) {
  const int64_t every = config_.refit_every_ms;
  if (every <= 0 || event_ms <= global_stream_ms_) {
    return {};
  }
  const int64_t boundary = event_ms / every * every;
  const bool crossed = global_stream_ms_ > 0 && boundary > global_stream_ms_;
  global_stream_ms_ = event_ms;
  return crossed && boundary != latest_model_as_of_ms_ ? start_refit(boundary)
                                                       : core::Result<void>{};
}

core::Result<void> Pipeline::start_refit(int64_t as_of_ms) {
  // One boundary may wait for the refit in progress; a second one waits for it to be stored (and
  // the waiting one to start), so that at most two scans stay pinned.
  if (auto finished = finish_refit(/*wait=*/next_refit_.has_value()); !finished) {
    return finished;
  }
  const auto passed = std::chrono::steady_clock::now();
  // The event that crossed the boundary is not processed yet: the batch committed here holds
  // everything before it, and the scan is pinned right after that write, before the next one.
  std::promise<CustomerScan> pin;
  std::future<CustomerScan> pinned = pin.get_future();
  if (auto committed = commit_batch([&store = store_, pin = std::move(pin)]() mutable {
        pin.set_value(store.scan_customers(CustomerFields::kScalars));
      });
      !committed) {
    return committed;
  }
  latest_model_as_of_ms_ = as_of_ms;
  // The state dir may still hold partitions a rebalance gave to other instances: those stale
  // copies are left out.
  const PipelineSnapshot now = stats_.snapshot();
  TrainingFilter owned = [owned = now.owned_partitions,
                          count = now.partition_count](std::string_view id) {
    return count > 0 && owned.contains(core::partition_for_key(id, count).value());
  };
  PendingRefit refit{.as_of_ms = as_of_ms,
                     .pinned = std::move(pinned),
                     .owned = std::move(owned),
                     .passed = passed};
  if (refit_.valid()) {
    next_refit_ = std::move(refit);
  } else {
    launch_refit(std::move(refit));
  }
  return {};
}

void Pipeline::launch_refit(PendingRefit refit) {
  refit_started_ = refit.passed;
  core::scoring::TrainOptions options;
  options.time_unit =
      config_.refit_weekly_unit ? core::models::TimeUnit::kWeek : core::models::TimeUnit::kDay;
  options.k = config_.kmeans_k;
  refit_ = std::async(std::launch::async,
                      [&store = store_, refit = std::move(refit),
                       options]() mutable -> core::Result<core::models::ModelSnapshot> {
                        name_this_thread("segd-refit");
                        std::optional<CustomerScan> scan;
                        try {
                          scan.emplace(refit.pinned.get());
                        } catch (const std::future_error&) {
                          // The write before the refit failed (the pipeline reports that error
                          // itself).
                          return core::fail("storage_error",
                                            "refit: the batch before it was not stored");
                        }
                        return train_next(store, std::move(*scan),
                                          core::TimestampMs{refit.as_of_ms}, options, refit.owned);
                      });
}

core::Result<void> Pipeline::finish_refits() {
  while (refit_.valid()) {
    if (auto finished = finish_refit(/*wait=*/true); !finished) {
      return finished;
    }
  }
  return {};
}

core::Result<void> Pipeline::finish_refit(bool wait) {
  if (!refit_.valid() ||
      (!wait && refit_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)) {
    return {};
  }
  auto installed = install_refit();
  // The boundary waiting trains only now: train_next() numbers its version after the newest
  // stored one and matches its clusters to that one's.
  if (installed && next_refit_) {
    launch_refit(std::move(*next_refit_));
    next_refit_.reset();
  }
  return installed;
}

core::Result<void> Pipeline::install_refit() {
  auto snapshot = refit_.get();
  // The refit's thread scanned every stored customer and freed what it allocated.
  release_free_heap_after_refit(/*catching_up=*/!caught_up_);
  if (!snapshot) {
    if (snapshot.error().code == "storage_error") {
      return std::unexpected(snapshot.error());
    }
    // A failed fit (say, too few buyers yet) keeps the current model; the next boundary retries.
    log(LogLevel::kWarn, "models", "refit skipped: " + snapshot.error().message);
    return {};
  }
  // Every event processed so far was scored by the previous version; it takes over after them.
  snapshot->active_from_ms = global_stream_ms_ + 1;
  if (auto stored = store_model(store_, *snapshot); !stored) {
    return stored;
  }
  const int64_t version = snapshot->version;
  const int64_t as_of = snapshot->trained_as_of_ms;
  const int64_t active_from = snapshot->active_from_ms;
  auto scorer = core::scoring::ModelScorer::create(std::move(*snapshot));
  if (!scorer) {
    return std::unexpected(scorer.error());
  }
  for (auto& [partition, processor] : processors_) {
    processor->add_model(*scorer, active_from);
  }
  {
    std::lock_guard lock(models_mutex_);
    models_.push_back(ActiveModel{active_from, as_of, *scorer});
  }
  const double seconds = seconds_since(refit_started_);
  stats_.update([&](PipelineSnapshot& s) {
    s.model_version = version;
    s.last_refit_seconds = seconds;
  });
  log(LogLevel::kInfo, "models",
      "model version " + std::to_string(version) + " trained on the state at " +
          core::format_rfc3339(core::TimestampMs{as_of}) + " active from " +
          core::format_rfc3339(core::TimestampMs{active_from}) + " (ready " +
          std::to_string(seconds) + " s after its boundary; trained beside processing)");
  return {};
}

core::Result<void> Pipeline::unsent_dead_letter(const core::Error& error) {
  dead_letter_unsent_ = error;
  return std::unexpected(error);
}

core::Result<void> Pipeline::flush_dead_letters() {
  // Dead letters are confirmed before the offsets that skip them are committed: nothing is lost.
  // One the producer refused is not in flight: no report will come, and the batch cannot commit.
  if (dead_letter_unsent_) {
    return std::unexpected(*dead_letter_unsent_);
  }
  auto next_note = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (dead_letters_confirmed_ < dead_letters_.size()) {
    if (auto served = await_dead_letter_reports(); !served) {
      return served;
    }
    // Input keeps arriving while the batch waits: its lag must show (the lag alerts watch it).
    update_gauges_every_second();
    if (const auto now = std::chrono::steady_clock::now();
        now >= next_note && dead_letters_confirmed_ < dead_letters_.size()) {
      log(LogLevel::kWarn, "dead-letter",
          "waiting for " + std::to_string(dead_letters_.size() - dead_letters_confirmed_) +
              " dead letters to be confirmed by '" + config_.dead_letter_topic +
              "' before the batch commits; input waits meanwhile (are its brokers reachable?)");
      next_note = now + std::chrono::seconds(30);
    }
  }
  dead_letters_.clear();
  dead_letters_confirmed_ = 0;
  return {};
}

core::Result<void> Pipeline::commit_batch(OnceStored once_stored) {
  if (batch_events_ == 0 && next_offsets_.empty() && !uncounted_changes_) {
    if (once_stored) {
      if (auto r = wait_for_commit(); !r) {
        return r;
      }
      once_stored();
    }
    return {};
  }
  if (auto r = flush_dead_letters(); !r) {
    return r;
  }
  // One commit in flight at a time, in order. Once the previous one is in the store, every
  // clean cached state is too, so the caches may be trimmed.
  if (auto r = wait_for_commit(); !r) {
    return r;
  }
  std::vector<core::BatchDelta> parts;
  parts.reserve(processors_.size());
  std::vector<std::pair<std::string, std::string>> meta;
  int64_t timers_fired = 0;
  for (auto& [partition, processor] : processors_) {
    processor->trim_cache();
    parts.push_back(processor->take_batch());
    if (auto counted = members_.apply(partition, parts.back().outbox, meta); !counted) {
      return counted;
    }
    // Counted since the last commit: a processor's count starts again at a new assignment.
    int64_t& reported = timers_reported_[partition];
    timers_fired += processor->stats().timers_fired - reported;
    reported = processor->stats().timers_fired;
  }
  // Stream times as of this batch, published before its counts are (those once it is stored): a
  // DELETE that sees every event counted dates its erasure event past all of them. Once a second
  // left a second's events dated after it, and a rebuild's merge put them after the erasure.
  update_gauges();
  gauges_updated_ = std::chrono::steady_clock::now();
  // Input positions travel in one more part, written after the partitions' own.
  core::BatchDelta& positions = parts.emplace_back();
  kafka::PartitionListPtr offsets(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets_.size())));
  for (const auto& [tp, next] : next_offsets_) {
    const int64_t offset = resume_offset(tp, next);
    const std::string& topic = config_.inputs[tp.first].name;
    positions.positions.push_back({source_name(topic, tp.second), offset});
    rd_kafka_topic_partition_list_add(offsets.get(), topic.c_str(), tp.second)->offset = offset;
  }
  // Counted per (segment, kind) first, keyed by views of the changes' segment names.
  std::map<std::pair<std::string_view, core::ChangeKind>, int64_t> counted;
  for (const core::BatchDelta& part : parts) {
    for (const core::SegmentChange& c : part.outbox) {
      counted[{c.segment, c.change}] += 1;
    }
  }
  std::map<std::string, int64_t> changes;
  for (const auto& [key, n] : counted) {
    const auto& [segment, kind] = key;
    changes[std::string(segment) + "/" + std::string(core::change_kind_name(kind))] = n;
  }
  if (partition_count_ > 0) {
    meta.emplace_back(std::string(kPartitionsMeta), std::to_string(partition_count_));
  }
  // The write runs beside the processing of the next batch (the second core).
  commit_.start(
      store_, std::move(parts), std::move(meta),
      [this, offsets = std::move(offsets),
       counts = std::exchange(batch_counts_, std::vector<TopicCounts>(config_.inputs.size())),
       changes = std::move(changes), members = members_.totals(), timers_fired,
       started = batch_started_, events = batch_events_,
       once_stored = std::move(once_stored)]() mutable -> core::Result<void> {
        if (once_stored) {
          once_stored();  // First: a refit's scan waits for it.
        }
        if (observer_.on_batch) {
          observer_.on_batch(seconds_since(started), events);  // Processed and written.
        }
        drainer_.notify();
        if (offsets->cnt > 0) {
          // For lag monitoring only: restarts read the offsets stored in RocksDB.
          static_cast<void>(rd_kafka_commit(consumer_.get(), offsets.get(), 1));
        }
        stats_.update([&](PipelineSnapshot& s) {
          for (size_t i = 0; i < counts.size(); ++i) {
            const TopicCounts& c = counts[i];
            TopicCounts& total = s.topics[config_.inputs[i].name];
            total.consumed += c.consumed;
            total.processed += c.processed;
            total.duplicates += c.duplicates;
            total.lost_to_retention += c.lost_to_retention;
            for (const auto& [reason, n] : c.dead_lettered) {
              total.dead_lettered[reason] += n;
            }
          }
          s.batches += 1;
          s.segment_members = members;
          s.timers_fired += timers_fired;
          for (const auto& [key, n] : changes) {
            s.changes[key] += n;
          }
        });
        return {};
      });
  next_offsets_.clear();
  batch_events_ = 0;
  uncounted_changes_ = false;
  return {};
}

core::Result<void> Pipeline::wait_for_commit() { return commit_.wait(); }

core::Result<void> Pipeline::commit_and_wait() {
  if (auto r = commit_batch(); !r) {
    return r;
  }
  return wait_for_commit();
}

}  // namespace segd::io
