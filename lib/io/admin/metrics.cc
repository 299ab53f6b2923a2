#include "io/admin/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace segd::io {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Registry;

Family<Counter>& counter_family(Registry& registry,
                                const std::string& name,
                                const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(registry);
}

Counter& counter(Registry& registry, const std::string& name, const std::string& help) {
  return counter_family(registry, name, help).Add({});
}

Family<Gauge>& gauge_family(Registry& registry, const std::string& name, const std::string& help) {
  return BuildGauge().Name(name).Help(help).Register(registry);
}

Gauge& gauge(Registry& registry, const std::string& name, const std::string& help) {
  return gauge_family(registry, name, help).Add({});
}

Histogram& histogram(Registry& registry,
                     const std::string& name,
                     const std::string& help,
                     Histogram::BucketBoundaries buckets) {
  return BuildHistogram().Name(name).Help(help).Register(registry).Add({}, std::move(buckets));
}

// Batch latency: from sub-millisecond in-memory batches to multi-second stalls on disk.
Histogram::BucketBoundaries batch_seconds_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Histogram::BucketBoundaries batch_events_buckets() {
  return {1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 50000, 100000};
}

// Event-time lag: a live stream is seconds behind, a backfill days.
Histogram::BucketBoundaries lag_seconds_buckets() {
  return {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400, 604800};
}

}  // namespace

MetricsExporter::MetricsExporter(const std::string& build_version)
    : consumed_(counter_family(registry_,
                               "segd_events_consumed_total",
                               "Messages read from an input topic and done with.")),
      processed_(counter_family(
          registry_, "segd_events_processed_total", "Events applied to customer state.")),
      deduplicated_(counter_family(registry_,
                                   "segd_events_deduplicated_total",
                                   "Events dropped as duplicates (event_id or order_id seen).")),
      dead_lettered_(counter_family(registry_,
                                    "segd_events_dead_lettered_total",
                                    "Messages sent to the dead-letter topic, by reason.")),
      lost_to_retention_(
          counter_family(registry_,
                         "segd_input_lost_to_retention_total",
                         "Input messages the broker removed (retention) before "
                         "segd read them; their events are missing from the state.")),
      segment_changes_(counter_family(registry_,
                                      "segd_segment_changes_total",
                                      "Segment transitions emitted, by segment and direction.")),
      outbox_published_(counter(registry_,
                                "segd_outbox_published_total",
                                "Segment changes whose delivery to Kafka was confirmed.")),
      outbox_publish_errors_(counter(registry_,
                                     "segd_outbox_publish_errors_total",
                                     "Failed delivery reports of segment changes (retried).")),
      timers_fired_(counter(registry_,
                            "segd_timers_fired_total",
                            "Time-driven re-evaluations fired by stream time.")),
      rule_reloads_(counter_family(registry_,
                                   "segd_rules_reloads_total",
                                   "Rule reloads (SIGHUP or POST /v1/rules/reload), by result: "
                                   "applied, or rejected (the current rules stay).")),
      rule_reloads_applied_(rule_reloads_.Add({{"result", "applied"}})),
      rule_reloads_rejected_(rule_reloads_.Add({{"result", "rejected"}})),
      batches_(counter(registry_, "segd_batches_total", "Batches committed to the state store.")),
      wal_syncs_(counter(registry_,
                         "segd_rocksdb_wal_syncs_total",
                         "fsyncs of RocksDB's write-ahead log (one per commit with "
                         "state.durability power_loss, one per stored model version).")),
      batch_duration_(histogram(registry_,
                                "segd_batch_duration_seconds",
                                "Wall time to process and commit one batch.",
                                batch_seconds_buckets())),
      batch_events_(histogram(
          registry_, "segd_batch_events", "Events per processed batch.", batch_events_buckets())),
      event_lag_(histogram(registry_,
                           "segd_event_time_lag_seconds",
                           "Wall time minus event time when an event is processed or "
                           "deduplicated.",
                           lag_seconds_buckets())),
      event_lag_bounds_(lag_seconds_buckets()),
      consumer_lag_(gauge_family(registry_,
                                 "segd_consumer_lag_messages",
                                 "Messages between the consumer position and the high watermark.")),
      stream_time_(gauge_family(registry_,
                                "segd_stream_time_seconds",
                                "Stream time (max event time seen) per partition, Unix seconds.")),
      segment_members_(
          gauge_family(registry_, "segd_segment_members", "Customers currently in a segment.")),
      outbox_pending_(gauge(registry_,
                            "segd_outbox_pending",
                            "Segment changes committed but not yet confirmed by Kafka.")),
      consumption_paused_(gauge(registry_,
                                "segd_consumption_paused",
                                "1 while consumption is paused because the outbox holds "
                                "outbox.max_pending changes, else 0.")),
      customers_(gauge(registry_, "segd_customers", "Estimated customers in the state store.")),
      live_data_bytes_(
          gauge(registry_, "segd_rocksdb_live_data_bytes", "Estimated live SST data in RocksDB.")),
      memtable_bytes_(
          gauge(registry_, "segd_rocksdb_memtable_bytes", "Memory held by RocksDB memtables.")),
      pending_compaction_bytes_(gauge(registry_,
                                      "segd_rocksdb_pending_compaction_bytes",
                                      "Estimated bytes RocksDB compaction still has to rewrite.")),
      block_cache_hit_ratio_(gauge(registry_,
                                   "segd_rocksdb_block_cache_hit_ratio",
                                   "RocksDB block cache hits / lookups since open (0..1).")),
      model_version_(gauge(registry_, "segd_model_version", "Version of the active model set.")),
      model_refit_seconds_(gauge(registry_,
                                 "segd_model_refit_duration_seconds",
                                 "Wall time of the last model refit, from its boundary until "
                                 "its version was installed (training runs beside processing; a "
                                 "boundary passed during another refit waits for that one).")),
      ready_(gauge(registry_, "segd_ready", "1 when /readyz answers 200, else 0.")) {
  gauge_family(registry_, "segd_build_info", "Build of the running segd; always 1.")
      .Add({{"version", build_version}})
      .Set(1);
}

void MetricsExporter::observe_batch(double seconds, int64_t events) {
  batch_duration_.Observe(seconds);
  batch_events_.Observe(static_cast<double>(events));
}

void MetricsExporter::observe_event_lags(std::span<const double> seconds) {
  if (seconds.empty()) {
    return;
  }
  // Per-bucket (not cumulative) counts, the last one for +Inf; a value goes to the first bucket
  // whose upper bound is >= it, as Histogram::Observe places it.
  std::vector<double> increments(event_lag_bounds_.size() + 1, 0.0);
  double sum = 0.0;
  for (const double s : seconds) {
    const auto bucket = std::lower_bound(event_lag_bounds_.begin(), event_lag_bounds_.end(), s);
    increments[static_cast<size_t>(bucket - event_lag_bounds_.begin())] += 1.0;
    sum += s;
  }
  event_lag_.ObserveMultiple(increments, sum);
}

void MetricsExporter::advance(Counter& counter, double total) {
  const double delta = total - counter.Value();
  if (delta > 0) {
    counter.Increment(delta);
  }
}

MetricsExporter::GaugeMap MetricsExporter::sync_gauges(Family<Gauge>& family,
                                                       const std::string& label,
                                                       const std::map<std::string, double>& values,
                                                       GaugeMap exported) {
  GaugeMap now;
  for (const auto& [key, value] : values) {
    auto it = exported.find(key);
    Gauge* g = it != exported.end() ? it->second : &family.Add({{label, key}});
    g->Set(value);
    now.emplace(key, g);
  }
  for (const auto& [key, g] : exported) {
    if (!now.contains(key)) {
      family.Remove(g);
    }
  }
  return now;
}

void MetricsExporter::declare_topics(const std::vector<std::string>& topics) {
  const std::lock_guard lock(update_mutex_);
  for (const std::string& topic : topics) {
    for (auto* family : {&consumed_, &processed_, &deduplicated_, &lost_to_retention_}) {
      static_cast<void>(family->Add({{"topic", topic}}));
    }
  }
}

void MetricsExporter::update_topics(const PipelineSnapshot& pipeline) {
  for (const auto& [topic, counts] : pipeline.topics) {
    advance(consumed_.Add({{"topic", topic}}), static_cast<double>(counts.consumed));
    advance(processed_.Add({{"topic", topic}}), static_cast<double>(counts.processed));
    advance(deduplicated_.Add({{"topic", topic}}), static_cast<double>(counts.duplicates));
    advance(lost_to_retention_.Add({{"topic", topic}}),
            static_cast<double>(counts.lost_to_retention));
    for (const auto& [reason, n] : counts.dead_lettered) {
      advance(dead_lettered_.Add({{"topic", topic}, {"reason", reason}}), static_cast<double>(n));
    }
  }
  for (const auto& [key, n] : pipeline.changes) {
    // Keys are "<segment>/<enter|exit>"; segment names cannot hold '/', but split at the last
    // one anyway so that a surprising name still yields a well-formed direction.
    const size_t slash = key.rfind('/');
    const std::string segment = slash == std::string::npos ? key : key.substr(0, slash);
    const std::string direction = slash == std::string::npos ? "unknown" : key.substr(slash + 1);
    advance(segment_changes_.Add({{"segment", segment}, {"direction", direction}}),
            static_cast<double>(n));
  }
  advance(outbox_published_, static_cast<double>(pipeline.outbox_published));
  advance(outbox_publish_errors_, static_cast<double>(pipeline.outbox_publish_errors));
  advance(timers_fired_, static_cast<double>(pipeline.timers_fired));
  advance(rule_reloads_applied_, static_cast<double>(pipeline.rule_reloads));
  advance(rule_reloads_rejected_, static_cast<double>(pipeline.rule_reloads_rejected));
  advance(batches_, static_cast<double>(pipeline.batches));
  outbox_pending_.Set(static_cast<double>(pipeline.outbox_pending));
  consumption_paused_.Set(pipeline.consumption_paused ? 1.0 : 0.0);
}

void MetricsExporter::update_partitions(const PipelineSnapshot& pipeline) {
  std::map<std::string, double> lag;
  for (const auto& [partition, n] : pipeline.partition_lag) {
    lag.emplace(std::to_string(partition), static_cast<double>(n));
  }
  lag_gauges_ = sync_gauges(consumer_lag_, "partition", lag, std::move(lag_gauges_));
  std::map<std::string, double> stream;
  for (const auto& [partition, ms] : pipeline.stream_time_ms) {
    // A partition without an event yet has stream time 0: no series, rather than one that reads
    // as 56 years behind (time() - segd_stream_time_seconds).
    if (ms > 0) {
      stream.emplace(std::to_string(partition), static_cast<double>(ms) / 1000.0);
    }
  }
  stream_time_gauges_ =
      sync_gauges(stream_time_, "partition", stream, std::move(stream_time_gauges_));
}

void MetricsExporter::update_segments(const MetricsInputs& inputs) {
  if (!inputs.segments) {
    return;
  }
  std::map<std::string, double> members;
  for (const SegmentSummary& s : *inputs.segments) {
    members.emplace(s.name, static_cast<double>(s.members));
  }
  member_gauges_ = sync_gauges(segment_members_, "segment", members, std::move(member_gauges_));
}

void MetricsExporter::update_store_and_model(const MetricsInputs& inputs) {
  customers_.Set(static_cast<double>(inputs.store.customers_estimate));
  live_data_bytes_.Set(static_cast<double>(inputs.store.live_data_bytes));
  memtable_bytes_.Set(static_cast<double>(inputs.store.memtable_bytes));
  pending_compaction_bytes_.Set(static_cast<double>(inputs.store.pending_compaction_bytes));
  block_cache_hit_ratio_.Set(inputs.store.block_cache_hit_ratio);
  advance(wal_syncs_, static_cast<double>(inputs.store.wal_syncs));
  model_version_.Set(static_cast<double>(inputs.model.version));
  model_refit_seconds_.Set(inputs.model.last_refit_seconds);
  ready_.Set(inputs.ready ? 1.0 : 0.0);
}

void MetricsExporter::update(const MetricsInputs& inputs) {
  std::lock_guard lock(update_mutex_);
  update_topics(inputs.pipeline);
  update_partitions(inputs.pipeline);
  update_segments(inputs);
  update_store_and_model(inputs);
}

std::string MetricsExporter::scrape(AdminBackend& backend) {
  MetricsInputs inputs{.pipeline = backend.pipeline(),
                       .store = backend.store(),
                       .model = backend.model(),
                       .ready = backend.ready(),
                       .segments = std::nullopt};
  if (auto segments = backend.segments()) {
    inputs.segments = std::move(*segments);
  }
  update(inputs);
  return serialize();
}

std::string MetricsExporter::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace segd::io
