#include "io/replay/replay_runner.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <tuple>

#include "core/common/partitioner.h"
#include "core/engine/partition_processor.h"
#include "core/events/text.h"
#include "core/scoring/model_scorer.h"
#include "io/codec/base64.h"
#include "io/codec/decode_limits.h"
#include "io/codec/json_writer.h"
#include "io/codec/segment_change_json.h"
#include "io/config/rules_loader.h"
#include "io/replay/append_file.h"
#include "io/replay/line_source.h"
#include "io/replay/model_store.h"
#include "io/replay/replay_files.h"
#include "io/state/background_commit.h"
#include "io/state/rocks_store.h"
#include "io/state/state_writer.h"

namespace segd::io {
namespace {

constexpr std::string_view kSource = "replay";
constexpr std::string_view kMetaOutputBytes = "replay.output_bytes";
constexpr std::string_view kMetaDeadLetterBytes = "replay.dead_letter_bytes";
// recorded_output_path() of the files those lengths belong to.
constexpr std::string_view kMetaOutputPath = "replay.output_path";
constexpr std::string_view kMetaDeadLetterPath = "replay.dead_letter_path";

std::string dead_letter_json(const core::Error& error,
                             int64_t line,
                             std::string_view payload,
                             std::optional<size_t> payload_cut_from) {
  JsonWriter w;
  w.begin_object();
  w.key("reason"_key);
  w.string(error.code);
  w.key("message"_key);
  w.string(core::utf8_prefix(error.message, kDeadLetterMessageBytes));
  w.key("source"_key);
  w.string(kSource);
  w.key("offset"_key);
  w.number(line);
  w.key("payload"_key);
  w.string(payload);
  if (!core::is_valid_utf8(payload)) {
    // JSON text is UTF-8, so `payload` has U+FFFD for the bad bytes; these are the exact ones.
    w.key("payload_base64"_key);
    w.string(base64(payload));
  }
  if (payload_cut_from) {
    w.key("payload_truncated_from"_key);
    w.number(static_cast<int64_t>(*payload_cut_from));
  }
  w.end_object();
  return w.take();
}

// Keeps `processors` until the process exits, never destroyed: held through a static, so leak
// checkers see them reachable.
void keep_until_exit(std::vector<std::unique_ptr<core::PartitionProcessor>> processors) {
  static auto* const kept = new std::vector<std::unique_ptr<core::PartitionProcessor>>();
  std::move(processors.begin(), processors.end(), std::back_inserter(*kept));
}

// One replay run: the store, a processor per partition, and the two output files.
class Replay {
 public:
  Replay(const ReplayOptions& options,
         std::shared_ptr<const core::RuleSet> rules,
         std::unique_ptr<RocksStore> store)
      : options_(options),
        rules_(std::move(rules)),
        store_(std::move(store)),
        output_path_(recorded_output_path(options.output)),
        dead_letter_path_(recorded_output_path(options.dead_letter)) {}

  core::Result<void> open() {
    if (auto r = check_partitions(); !r) {
      return r;
    }
    if (auto r = claim_state_dir(*store_, options_.state_dir, StateWriter::kReplay); !r) {
      return r;
    }
    auto scorer = std::make_shared<core::NoModel>();
    auto models = load_models(*store_);
    if (!models) {
      return std::unexpected(models.error());
    }
    for (int32_t p = 0; p < options_.partitions; ++p) {
      auto restore = store_->partition_restore(core::PartitionId{p});
      if (!restore) {
        return std::unexpected(restore.error());
      }
      global_stream_ms_ = std::max(global_stream_ms_, restore->stream_time_ms);
      processors_.push_back(std::make_unique<core::PartitionProcessor>(
          core::PartitionId{p}, rules_, scorer, *store_, std::move(*restore),
          core::PartitionProcessor::Options{.cache_capacity = options_.cache_customers,
                                            .evaluate_all_rules = options_.evaluate_all_rules}));
      for (const ActiveModel& m : *models) {
        processors_.back()->add_model(m.scorer, m.active_from_ms);
      }
    }
    if (!models->empty()) {
      latest_model_as_of_ms_ = models->back().trained_as_of_ms;
    }
    auto position = store_->position(kSource);
    if (!position) {
      return std::unexpected(position.error());
    }
    committed_lines_ = position->value_or(0);
    for (const auto& [flag, path, path_key, bytes_key] :
         {std::tuple{"--output", options_.output, kMetaOutputPath, kMetaOutputBytes},
          std::tuple{"--dead-letter", options_.dead_letter, kMetaDeadLetterPath,
                     kMetaDeadLetterBytes}}) {
      if (auto r = check_output(flag, path, path_key, bytes_key); !r) {
        return r;
      }
    }
    return open_outputs();
  }

  // A refit at stream time `at`, unless the newest stored model already was trained then (a
  // restart after a crash between storing the model and the next commit).
  core::Result<void> refit(int64_t lines_consumed, int64_t at) {
    if (latest_model_as_of_ms_ == at) {
      return {};
    }
    if (auto r = commit_and_wait(lines_consumed); !r) {  // The fit scans the store.
      return r;
    }
    auto snapshot = refit_and_store(*store_, core::TimestampMs{at}, core::scoring::TrainOptions{});
    latest_model_as_of_ms_ = at;
    if (!snapshot && snapshot.error().code != "storage_error") {
      // Too little data to fit yet (say, no repeat buyers): keep the current model, as the
      // daemon does. Deterministic: the same data fails the same way.
      std::fprintf(stderr, "segctl: refit at %s skipped: %s\n",
                   core::format_rfc3339(core::TimestampMs{at}).c_str(),
                   snapshot.error().message.c_str());
      return {};
    }
    if (!snapshot) {
      return std::unexpected(snapshot.error());
    }
    auto scorer = core::scoring::ModelScorer::create(std::move(*snapshot));
    if (!scorer) {
      return std::unexpected(scorer.error());
    }
    for (const auto& p : processors_) {
      p->add_model(*scorer, at);
    }
    return {};
  }

  // Refits when an event carries the replay's stream time across a cadence boundary.
  core::Result<void> maybe_refit(int64_t lines_consumed, int64_t event_ms) {
    const int64_t every = options_.refit_every_ms;
    if (every <= 0 || event_ms <= global_stream_ms_) {
      return {};
    }
    const int64_t boundary = event_ms / every * every;
    const bool crossed = global_stream_ms_ > 0 && boundary > global_stream_ms_;
    global_stream_ms_ = event_ms;
    return crossed ? refit(lines_consumed, boundary) : core::Result<void>{};
  }

  core::Result<void> run(std::istream& standard_input) {
    LineSource source(options_.inputs, standard_input, committed_lines_);
    int64_t line_no = 0;  // Lines consumed so far.
    while (true) {
      auto chunk = source.next();
      if (!chunk) {
        return std::unexpected(chunk.error());
      }
      if (chunk->empty()) {
        break;
      }
      for (const DecodedLine& line : *chunk) {
        line_no = line.number + 1;
        if (line.skipped) {
          summary_.skipped += 1;
          continue;
        }
        if (auto r = handle_line(line); !r) {
          return r;
        }
        if (++in_batch_ >= options_.batch_size) {
          if (auto r = commit(line_no); !r) {
            return r;
          }
        }
      }
    }
    if (summary_.skipped < committed_lines_) {
      // Not an error (a replay of a prefix is a no-op), but most likely the wrong files.
      std::fprintf(stderr,
                   "segctl: warning: the inputs hold %lld lines, fewer than the %lld this state "
                   "dir has replayed already: nothing new was read (were the inputs changed?)\n",
                   static_cast<long long>(summary_.skipped),
                   static_cast<long long>(committed_lines_));
    }
    // Inputs shorter than the stored position leave it where it is: the lines beyond them were
    // replayed already, and a later run of the whole input must not read them again.
    const int64_t consumed = std::max(line_no, committed_lines_);
    if (auto r = commit_and_wait(consumed); !r) {
      return r;
    }
    if (options_.refit_every_ms > 0 && global_stream_ms_ > 0) {
      return refit(consumed, global_stream_ms_);  // "Also at the end of a replay."
    }
    return {};
  }

  core::Result<void> close() {
    for (const auto& p : processors_) {
      summary_.timers_fired += p->stats().timers_fired;
      summary_.model_version = std::max(summary_.model_version, p->model_version());
    }
    if (options_.process_exits_after) {
      keep_until_exit(std::move(processors_));
    }
    return store_->close();
  }

  [[nodiscard]] const ReplaySummary& summary() const { return summary_; }

 private:
  core::Result<void> check_partitions() {
    auto stored = store_->partition_count();
    if (!stored) {
      return std::unexpected(stored.error());
    }
    if (stored->has_value() && **stored != options_.partitions) {
      return core::fail("bad_option", "--partitions: the state dir was written with " +
                                          std::to_string(**stored) + " partitions, not " +
                                          std::to_string(options_.partitions));
    }
    return {};
  }

  // Before the file is opened, so that another file than the committed one is left alone.
  core::Result<void> check_output(std::string_view flag,
                                  const std::string& path,
                                  std::string_view path_key,
                                  std::string_view bytes_key) {
    auto recorded = store_->get_meta(path_key);
    if (!recorded) {
      return std::unexpected(recorded.error());
    }
    auto bytes = store_->get_meta_int(bytes_key);
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    return check_committed_output(flag, path, CommittedOutput{*recorded, *bytes});
  }

  // Output written after the last commit is cut off: the lines behind it are replayed again.
  // Both files are opened before either is cut, so that a file that cannot be opened leaves the
  // other as it was.
  core::Result<void> open_outputs() {
    auto out = AppendFile::open(options_.output);
    if (!out) {
      return core::fail(out.error().code, "--output: " + out.error().message);
    }
    output_ = std::move(*out);
    if (!options_.dead_letter.empty()) {
      auto dlq = AppendFile::open(options_.dead_letter);
      if (!dlq) {
        return core::fail(dlq.error().code, "--dead-letter: " + dlq.error().message);
      }
      dead_letter_ = std::move(*dlq);
    }
    if (auto r = restore_length(*output_, kMetaOutputBytes); !r) {
      return r;
    }
    return dead_letter_ ? restore_length(*dead_letter_, kMetaDeadLetterBytes)
                        : core::Result<void>{};
  }

  core::Result<void> restore_length(AppendFile& file, std::string_view key) {
    auto committed = store_->get_meta_int(key);
    if (!committed) {
      return std::unexpected(committed.error());
    }
    if (committed->value_or(0) < 0) {
      return core::fail("corrupt_state", "metadata '" + std::string(key) + "' is negative");
    }
    // A fresh state dir owns fresh output: nothing of an older file was committed with it.
    return file.truncate_to(static_cast<uint64_t>(committed->value_or(0)));
  }

  core::Result<void> handle_line(const DecodedLine& line) {
    summary_.read += 1;
    const auto& event = line.event;
    if (!event) {
      summary_.dead_lettered += 1;
      summary_.dead_letter_reasons[event.error().code] += 1;
      if (dead_letter_) {
        dead_letter_->append_line(
            dead_letter_json(event.error(), line.number, line.payload, line.payload_cut_from));
      }
      return {};
    }
    if (auto r = maybe_refit(line.number, event->ts.value()); !r) {
      return r;
    }
    const core::PartitionId p = core::partition_for_key(event->customer_id, options_.partitions);
    core::PartitionProcessor& processor = *processors_[static_cast<size_t>(p.value())];
    // A burst of timers due before the event (every buyer re-checked at a day boundary) is
    // written in batches of at most --batch-timers firings, as segd does.
    if (auto r = processor.fire_due_timers_in_batches(event->ts.value(), options_.batch_timers,
                                                      [&]() {
                                                        write_changes(processor);
                                                        return commit(line.number);
                                                      });
        !r) {
      return r;
    }
    auto outcome = processor.process(*event);
    if (!outcome) {
      return std::unexpected(outcome.error());
    }
    if (*outcome == core::Outcome::kDuplicate) {
      summary_.duplicates += 1;
    } else {
      summary_.processed += 1;
    }
    write_changes(processor);
    return {};
  }

  void write_changes(core::PartitionProcessor& processor) {
    for (const core::SegmentChange& change : processor.take_changes()) {
      summary_.changes += 1;
      output_->append_line(encode_segment_change_json(change));
    }
  }

  // Starts writing the batch (after the previous write is done) and returns without waiting for
  // it: the write runs beside the processing of the next batch.
  core::Result<void> commit(int64_t lines_consumed) {
    // Once the previous batch is in the store, every clean cached state is too.
    if (auto r = writer_.wait(); !r) {
      return r;
    }
    std::vector<core::BatchDelta> parts;
    for (const auto& p : processors_) {
      p->trim_cache();
      parts.push_back(p->take_batch());
    }
    parts.emplace_back().positions.push_back({std::string(kSource), lines_consumed});
    // Output reaches the kernel before the state that says it was written.
    if (auto r = output_->flush(); !r) {
      return r;
    }
    BackgroundCommit::Meta meta = {
        {std::string(kPartitionsMeta), std::to_string(options_.partitions)},
        {std::string(kMetaOutputPath), output_path_},
        {std::string(kMetaOutputBytes), std::to_string(output_->size())},
        {std::string(kMetaDeadLetterPath), dead_letter_path_}};
    if (dead_letter_) {
      if (auto r = dead_letter_->flush(); !r) {
        return r;
      }
      meta.emplace_back(std::string(kMetaDeadLetterBytes), std::to_string(dead_letter_->size()));
    }
    in_batch_ = 0;
    writer_.start(*store_, std::move(parts), std::move(meta));
    return {};
  }

  // commit() and wait: the batch is in the store on return.
  core::Result<void> commit_and_wait(int64_t lines_consumed) {
    if (auto r = commit(lines_consumed); !r) {
      return r;
    }
    return writer_.wait();
  }

  const ReplayOptions& options_;
  const std::shared_ptr<const core::RuleSet> rules_;
  std::unique_ptr<RocksStore> store_;
  const std::string output_path_;       ///< recorded_output_path() of --output.
  const std::string dead_letter_path_;  ///< The same of --dead-letter ("" for none).
  std::vector<std::unique_ptr<core::PartitionProcessor>> processors_;
  std::unique_ptr<AppendFile> output_;
  std::unique_ptr<AppendFile> dead_letter_;
  BackgroundCommit writer_;  // Destroyed (so waited for) before the store and processors.
  int64_t committed_lines_ = 0;
  int64_t global_stream_ms_ = 0;        ///< Largest event time seen over all partitions.
  int64_t latest_model_as_of_ms_ = -1;  ///< trained_as_of of the newest stored model.
  size_t in_batch_ = 0;
  ReplaySummary summary_;
};

// The --rules file's rules; none without one.
core::Result<std::shared_ptr<const core::RuleSet>> load_rules(const ReplayOptions& options) {
  if (options.rules_file.empty()) {
    return *core::RuleSet::compile({});
  }
  return load_rule_set(options.rules_file);
}

}  // namespace

core::Result<ReplaySummary> run_replay(const ReplayOptions& options, std::istream& standard_input) {
  if (options.partitions < 1) {
    return core::fail("bad_option", "--partitions: must be at least 1");
  }
  if (options.batch_size < 1) {
    return core::fail("bad_option", "--batch-size: must be at least 1");
  }
  if (options.batch_timers < 1) {
    return core::fail("bad_option", "--batch-timers: must be at least 1");
  }
  if (options.inputs.empty()) {
    return core::fail("bad_option", "--input: at least one is required");
  }
  // Before the store and the outputs exist: a bad input or rules file must leave both untouched.
  if (auto r = check_replay_files(options); !r) {
    return std::unexpected(r.error());
  }
  auto rules = load_rules(options);
  if (!rules) {
    return std::unexpected(rules.error());
  }
  auto store = RocksStore::open(StoreConfig{.path = options.state_dir});
  if (!store) {
    return std::unexpected(store.error());
  }
  Replay replay(options, std::move(*rules), std::move(*store));
  if (auto r = replay.open(); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = replay.run(standard_input); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = replay.close(); !r) {
    return std::unexpected(r.error());
  }
  return replay.summary();
}

std::string summary_json(const ReplaySummary& s) {
  JsonWriter w;
  w.begin_object();
  for (const auto& [name, value] : {std::pair<const char*, int64_t>{"read", s.read},
                                    {"skipped", s.skipped},
                                    {"processed", s.processed},
                                    {"duplicates", s.duplicates},
                                    {"dead_lettered", s.dead_lettered},
                                    {"changes", s.changes},
                                    {"timers_fired", s.timers_fired},
                                    {"model_version", s.model_version}}) {
    w.key(name);
    w.number(value);
  }
  w.key("dead_letter_reasons"_key);
  w.begin_object();
  for (const auto& [reason, count] : s.dead_letter_reasons) {
    w.key(reason);
    w.number(count);
  }
  w.end_object();
  w.end_object();
  return w.take();
}

}  // namespace segd::io
