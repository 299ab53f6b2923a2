#include "io/pipeline/pipeline.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/common/partitioner.h"
#include "io/codec/json_event_codec.h"
#include "io/codec/proto_event_codec.h"
#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/log/log.h"
#include "io/pipeline/consumer_properties.h"
#include "io/pipeline/event_time_guard.h"
#include "io/pipeline/kafka_log.h"
#include "io/pipeline/message_kind.h"
#include "io/pipeline/partition_lag.h"
#include "io/pipeline/pipeline_internal.h"
#include "io/replay/model_store.h"

namespace segd::io {

using detail::seconds_since;
using detail::source_name;

Pipeline::Pipeline(const PipelineConfig& config,
                   RocksStore& store,
                   std::shared_ptr<const core::RuleSet> rules,
                   PipelineStats& stats,
                   OutboxDrainer& drainer,
                   PipelineObserver observer)
    : config_(config),
      store_(store),
      rules_(std::move(rules)),
      stats_(stats),
      drainer_(drainer),
      observer_(std::move(observer)),
      members_(store),
      batch_counts_(config.inputs.size()) {}

Pipeline::~Pipeline() {
  // The write in flight uses the consumer and the store: let it finish first.
  core::ignore_error(wait_for_commit(), "fallback: run() and close() report failed writes");
  if (consumer_) {
    core::ignore_error(close(), "fallback: orderly shutdown calls close() and reports");
  }
}

core::Result<std::unique_ptr<Pipeline>> Pipeline::create(const PipelineConfig& config,
                                                         RocksStore& store,
                                                         std::shared_ptr<const core::RuleSet> rules,
                                                         PipelineStats& stats,
                                                         OutboxDrainer& drainer,
                                                         PipelineObserver observer) {
  std::unique_ptr<Pipeline> p(
      new Pipeline(config, store, std::move(rules), stats, drainer, std::move(observer)));
  auto dlq = Producer::create(config.brokers, config.rdkafka_overrides);
  if (!dlq) {
    return std::unexpected(dlq.error());
  }
  p->dlq_ = std::move(*dlq);
  auto conf = kafka::make_conf(consumer_properties(config));
  if (!conf) {
    return std::unexpected(conf.error());
  }
  route_kafka_logs(conf->get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Pipeline::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &Pipeline::on_offset_commit);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  auto rk = kafka::make_client(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) {
    return std::unexpected(rk.error());
  }
  p->consumer_ = std::move(*rk);
  if (auto counted = count_members_by_partition(store); !counted) {
    return std::unexpected(counted.error());
  }
  auto models = load_models(store);
  if (!models) {
    return std::unexpected(models.error());
  }
  int64_t version = 0;
  if (!models->empty()) {
    p->latest_model_as_of_ms_ = models->back().trained_as_of_ms;
    version = models->back().scorer->version();
  }
  p->models_ = std::move(*models);
  p->stats_.update([&](PipelineSnapshot& s) {
    s.model_version = version;
    for (const InputTopicConfig& input : config.inputs) {
      s.topics.try_emplace(input.name);  // Counted from 0, even when it never delivers anything.
    }
  });
  rd_kafka_poll_set_consumer(p->consumer_.get());
  p->consumer_queue_.reset(rd_kafka_queue_get_consumer(p->consumer_.get()));
  kafka::PartitionListPtr topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(config.inputs.size())));
  for (const InputTopicConfig& t : config.inputs) {
    rd_kafka_topic_partition_list_add(topics.get(), t.name.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (const auto err = rd_kafka_subscribe(p->consumer_.get(), topics.get()); err) {
    return std::unexpected(kafka::to_error(err, "subscribe"));
  }
  return p;
}

void Pipeline::on_offset_commit(rd_kafka_t* /*rk*/,
                                rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* /*offsets*/,
                                void* /*opaque*/) {
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    log(LogLevel::kDebug, "pipeline",
        std::string("group commit (for lag monitoring only) failed: ") + rd_kafka_err2str(err));
  }
}

size_t Pipeline::topic_index(std::string_view topic) const {
  for (size_t i = 0; i < config_.inputs.size(); ++i) {
    if (config_.inputs[i].name == topic) {
      return i;
    }
  }
  return 0;
}

core::Result<core::Event> Pipeline::accept(const rd_kafka_message_t& msg, size_t index) const {
  const std::string_view payload(static_cast<const char*>(msg.payload), msg.len);
  // One object returned on every path, so the event is built in the caller's result (a move
  // copies each of its short strings).
  auto event = config_.inputs[index].format == WireFormat::kJson ? decode_json_event(payload)
                                                                 : decode_proto_event(payload);
  if (!event) {
    return event;
  }
  if (auto ok = check_event_time(event->ts, rd_kafka_message_timestamp(&msg, nullptr),
                                 config_.max_event_time_ahead_ms);
      !ok) {
    event = std::unexpected(std::move(ok.error()));
  } else if (core::partition_for_key(event->customer_id, partition_count_).value() !=
             msg.partition) {
    event = core::fail("wrong_partition",
                       "customer_id hashes (murmur2) to another partition; produce with the "
                       "murmur2 partitioner");
  }
  return event;
}

core::Result<void> Pipeline::handle(const rd_kafka_message_t& msg, size_t index) {
  ++batch_events_;
  auto event = accept(msg, index);
  if (config_.inputs.size() == 1) {  // Nothing to merge with.
    if (!event) {
      mark_done({index, msg.partition}, msg.offset);
      return dead_letter(msg, event.error());
    }
    return process_one(msg.partition, *event, index, msg.offset);
  }
  auto merger = mergers_.find(msg.partition);
  if (merger == mergers_.end()) {
    return core::fail("internal", "no merger for an assigned partition");
  }
  TopicMerger::Item item{.topic = index, .offset = msg.offset, .arrived = loop_now_};
  if (event) {
    item.event = std::move(*event);
  } else {
    // Dead-lettered in its topic's order: once the events before it are processed. Sent now, it
    // would lie past a position that must resume at them, and be read and sent again.
    item.rejected = TopicMerger::Rejected{owned(kafka_bytes(msg.key, msg.key_len)),
                                          owned(kafka_bytes(msg.payload, msg.len)), event.error()};
  }
  merger->second.push(std::move(item));
  return release_ready(msg.partition);
}

bool Pipeline::known_unread(size_t topic, int32_t partition) const {
  int64_t low = 0;
  int64_t high = 0;
  const std::string& name = config_.inputs[topic].name;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), name.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return true;  // Not fetched yet: the broker may hold anything.
  }
  const auto it = reading_.find({topic, partition});
  const int64_t next = it != reading_.end() && it->second.expected ? *it->second.expected : low;
  return high > next;
}

core::Result<void> Pipeline::release_ready(int32_t partition) {
  auto merger = mergers_.find(partition);
  if (merger == mergers_.end()) {
    return {};
  }
  const auto unread = [this, partition](size_t topic) { return known_unread(topic, partition); };
  if (auto r =
          process(partition, merger->second.release(loop_now_, config_.merge_max_wait, unread));
      !r) {
    return r;
  }
  if (merger->second.empty()) {
    holding_.erase(partition);
  } else {
    holding_.insert(partition);
  }
  return {};
}

core::Result<void> Pipeline::release_held() {
  // A copy: releasing a partition updates holding_.
  for (const int32_t partition : std::vector<int32_t>(holding_.begin(), holding_.end())) {
    if (auto r = release_ready(partition); !r) {
      return r;
    }
  }
  return {};
}

core::Result<void> Pipeline::process(int32_t partition, std::vector<TopicMerger::Item> items) {
  releasing_partition_ = partition;
  for (size_t i = 0; i < items.size(); ++i) {
    releasing_ = std::span(items).subspan(i);
    const TopicMerger::Item& item = items[i];
    if (auto r = item.rejected ? dead_letter_item(partition, item)
                               : process_one(partition, item.event, item.topic, item.offset);
        !r) {
      releasing_ = {};
      return r;
    }
  }
  releasing_ = {};
  return {};
}

core::Result<void> Pipeline::process_one(int32_t partition,
                                         const core::Event& event,
                                         size_t topic,
                                         int64_t offset) {
  auto it = processors_.find(partition);
  if (it == processors_.end()) {
    return core::fail("internal", "no processor for an assigned partition");
  }
  if (auto r = maybe_refit(event.ts.value()); !r) {
    return r;
  }
  // A burst of timers due before the event (every buyer re-checked at a day boundary) is
  // written in batches of at most batch_max_timers firings, not all in this one.
  if (auto r = it->second->fire_due_timers_in_batches(
          event.ts.value(), config_.batch_max_timers,
          [this]() -> core::Result<void> {
            uncounted_changes_ = true;
            if (auto committed = commit_batch(); !committed) {
              return committed;
            }
            batch_started_ = std::chrono::steady_clock::now();
            return {};
          });
      !r) {
    return r;
  }
  auto outcome = it->second->process(event);
  if (!outcome) {
    return std::unexpected(outcome.error());
  }
  if (event.type == core::EventType::kErasure) {
    const bool existed = *outcome != core::Outcome::kNothingToErase;
    log(LogLevel::kInfo, "audit",
        "erased customer '" + event.customer_id + (existed ? "'" : "' (nothing stored)") +
            " by the erasure event at " + source_name(config_.inputs[topic].name, partition) +
            " offset " + std::to_string(offset) +
            (event.event_id.empty() ? std::string() : " (event_id '" + event.event_id + "')"));
  }
  mark_done({topic, partition}, offset);
  TopicCounts& counts = batch_counts_[topic];
  counts.consumed += 1;  // Counted once done with: held events a stop leaves are read again.
  (*outcome == core::Outcome::kDuplicate ? counts.duplicates : counts.processed) += 1;
  if (observer_.on_event_lags) {
    event_lags_.push_back(static_cast<double>(loop_wall_ms_ - event.ts.value()) / 1000.0);
  }
  return {};
}

void Pipeline::update_gauges() {
  std::map<int32_t, int64_t> lag;
  std::set<int32_t> unknown;  // A topic's watermark not known yet: the partition has no lag value.
  for (const auto& [tp, reading] : reading_) {
    const char* topic = config_.inputs[tp.first].name.c_str();
    int64_t low = -1;
    int64_t high = -1;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), topic, tp.second, &low, &high) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      unknown.insert(tp.second);
      continue;
    }
    rd_kafka_topic_partition_list_t* pos = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(pos, topic, tp.second);
    kafka::PartitionListPtr owned(pos);
    const int64_t position = rd_kafka_position(consumer_.get(), pos) == RD_KAFKA_RESP_ERR_NO_ERROR
                                 ? pos->elems[0].offset
                                 : -1;
    const std::optional<int64_t> behind = partition_lag(low, high, position, reading.expected);
    if (!behind) {
      unknown.insert(tp.second);
      continue;
    }
    lag[tp.second] += *behind;
  }
  for (const int32_t partition : unknown) {
    lag.erase(partition);
  }
  std::map<int32_t, int64_t> stream_times;
  for (const auto& [partition, processor] : processors_) {
    stream_times[partition] = processor->stream_time_ms();
  }
  // Caught up once every assigned partition was read to its end since the assignment; it stays
  // so while live input keeps arriving (lag is watched through the lag metrics and alerts).
  caught_up_ = caught_up_ || at_end_of_input();
  stats_.update([&](PipelineSnapshot& s) {
    s.partition_lag = std::move(lag);
    s.stream_time_ms = std::move(stream_times);
    s.caught_up = caught_up_;
  });
}

void Pipeline::update_gauges_every_second() {
  if (const auto now = std::chrono::steady_clock::now();
      now - gauges_updated_ > std::chrono::seconds(1)) {
    update_gauges();
    gauges_updated_ = now;
  }
}

bool Pipeline::at_end_of_input() const {
  if (reading_.empty()) {
    return false;
  }
  return std::all_of(reading_.begin(), reading_.end(),
                     [](const auto& kv) { return kv.second.at_end; });
}

void Pipeline::observe_event_lags() {
  if (!event_lags_.empty()) {
    observer_.on_event_lags(event_lags_);
    event_lags_.clear();
  }
}

void Pipeline::tick() {
  loop_now_ = std::chrono::steady_clock::now();
  loop_wall_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
}

void Pipeline::consume(std::vector<kafka::MessagePtr>& out, size_t max) {
  std::array<rd_kafka_message_t*, kConsumeChunk> raw{};
  // What is queued now, without waiting; only when nothing is, wait up to 50 ms for the first
  // message (waiting for a full chunk would hold back a slow stream).
  ssize_t n = rd_kafka_consume_batch_queue(consumer_queue_.get(), 0, raw.data(),
                                           std::clamp<size_t>(max, 1, raw.size()));
  if (n == 0) {
    n = rd_kafka_consume_batch_queue(consumer_queue_.get(), 50, raw.data(), 1);
  }
  if (n < 0) {
    log(LogLevel::kWarn, "pipeline", kafka::to_error(rd_kafka_last_error(), "consume").message);
    return;
  }
  for (ssize_t i = 0; i < n; ++i) {
    out.emplace_back(raw[static_cast<size_t>(i)]);
  }
}

core::Result<void> Pipeline::on_message(const rd_kafka_message_t& msg) {
  const size_t index = msg.rkt ? topic_index(rd_kafka_topic_name(msg.rkt)) : 0;
  switch (message_kind(msg.err, processors_.contains(msg.partition))) {
    case MessageKind::kError: {
      const std::string topic = msg.rkt ? rd_kafka_topic_name(msg.rkt) : std::string();
      const core::Error e = kafka::to_error(msg.err, "consume " + topic);
      if (kafka::classify(msg.err) == kafka::ErrorClass::kFatal) {
        return std::unexpected(e);
      }
      log(LogLevel::kWarn, "pipeline", e.message);
      return {};
    }
    case MessageKind::kNotOwned:
      // Fetched before a rebalance (in the same consume call) took the partition away: its
      // owner reads it again from the offsets stored with the state.
      return {};
    case MessageKind::kPartitionEnd: {
      Reading& reading = reading_[{index, msg.partition}];
      reading.at_end = true;
      if (auto m = mergers_.find(msg.partition); m != mergers_.end()) {
        m->second.set_at_end(index, true);
      }
      // The end (its offset is the next to read) away from the position reached is told now,
      // not when a message next arrives (on an idle partition, maybe never): retention that
      // removed every unread message, or a partition truncated or recreated.
      check_offset(msg, index, reading.expected);
      return {};
    }
    case MessageKind::kRecord:
      break;
  }
  Reading& reading = reading_[{index, msg.partition}];
  reading.at_end = false;
  check_offset(msg, index, reading.expected);
  reading.expected = msg.offset + 1;
  return handle(msg, index);
}

core::Result<void> Pipeline::run(const std::atomic<bool>& stop, StopAt stop_at) {
  stop_ = &stop;
  auto ran = run_loop(stop, stop_at);
  // Waits in close() (the revoke's commit) belong to the shutdown as well.
  static const std::atomic<bool> stopped{true};
  stop_ = &stopped;
  stop_commands();  // Nothing runs them any more: the admin API and the reloader must not wait.
  return ran;
}

core::Result<void> Pipeline::run_loop(const std::atomic<bool>& stop, StopAt stop_at) {
  batch_started_ = std::chrono::steady_clock::now();
  gauges_updated_ = batch_started_;
  std::vector<kafka::MessagePtr> messages;
  messages.reserve(kConsumeChunk);
  while (!stop.load()) {
    messages.clear();
    apply_backpressure();  // Before consume(): a partition it assigns takes the state.
    // No more than the batch has room for (each message counts as one of its events).
    const size_t room =
        config_.batch_max_events > batch_events_ ? config_.batch_max_events - batch_events_ : 1;
    consume(messages, room);  // Serves rebalance callbacks too.
    tick();
    if (failed_) {
      return std::unexpected(fatal_);
    }
    for (kafka::MessagePtr& msg : messages) {
      if (auto r = on_message(*msg); !r) {
        return r;
      }
      msg.reset();
    }
    observe_event_lags();
    if (auto r = release_held(); !r) {
      return r;
    }
    // Events the merge released just now may belong to no message of this batch: they count.
    const bool uncommitted = batch_events_ > 0 || !next_offsets_.empty();
    if (batch_events_ >= config_.batch_max_events ||
        (uncommitted && loop_now_ - batch_started_ >= config_.batch_max_wait) ||
        (messages.empty() && uncommitted)) {
      if (auto r = commit_batch(); !r) {
        return r;
      }
      batch_started_ = std::chrono::steady_clock::now();
    }
    if (auto r = finish_refit(/*wait=*/false); !r) {
      return r;
    }
    // The dead-letter producer's reports and librdkafka's events (its logs among them) are served
    // as they come, not only while dead letters wait: its errors were logged at exit.
    if (auto r = serve_dead_letter_reports(0); !r) {
      return r;
    }
    run_commands();
    update_gauges_every_second();
    if (stop_at == StopAt::kEndOfInput && batch_events_ == 0 && at_end_of_input()) {
      if (auto r = finish_refits(); !r) {  // Refits belong to the run.
        return r;
      }
      if (auto r = wait_for_commit(); !r) {  // The drainer learns of a batch once it is written.
        return r;
      }
      if (drainer_.idle()) {
        log(LogLevel::kInfo, "pipeline", "every assigned partition is at its end; stopping");
        break;
      }
    }
  }
  // Events the merge still holds are left: the last commit resumes at them, and the next run
  // merges them with the other topics' events as an uninterrupted run would have.
  // Refits in progress or waiting are finished, so their versions are stored (a restart past
  // their boundaries would not train them again).
  if (auto r = finish_refits(); !r) {
    return r;
  }
  return commit_and_wait();
}

core::Result<void> Pipeline::close() {
  if (!consumer_) {
    return {};
  }
  if (auto r = wait_for_commit(); !r) {
    failed_ = true;
    fatal_ = r.error();
  }
  // Closing leaves the group; the revoke callback commits the last batch.
  const auto err = rd_kafka_consumer_close(consumer_.get());
  consumer_queue_.reset();
  consumer_.reset();
  if (failed_) {
    return std::unexpected(fatal_);
  }
  if (err) {
    return std::unexpected(kafka::to_error(err, "consumer close"));
  }
  return {};
}

}  // namespace segd::io
