#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/admin/admin_backend.h"

namespace segd::io {

/// Everything one scrape exports besides the histograms, gathered from the backend.
struct MetricsInputs {
  PipelineSnapshot pipeline;
  StoreStats store;
  ModelInfo model;
  bool ready = false;
  /// Segment sizes; nullopt when the backend could not list them (the last values stay).
  std::optional<std::vector<SegmentSummary>> segments;
};

/// The daemon's Prometheus metrics in a registry of its own (no global registry). Counters and
/// gauges mirror backend snapshots and are refreshed at scrape time: counters advance by the
/// delta since the previous scrape (a snapshot that went backwards leaves them unchanged), gauges
/// are set, and labelled gauges whose label disappeared (a revoked partition, a removed segment)
/// are dropped. Histograms are fed directly by the pipeline through observe_*(). All methods are
/// thread-safe.
class MetricsExporter {
 public:
  /// Registers every metric family; `build_version` becomes segd_build_info{version}.
  explicit MetricsExporter(const std::string& build_version);
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  /// Records one processed batch: its wall duration and how many events it held.
  void observe_batch(double seconds, int64_t events);
  /// Records how far behind wall time each event's own timestamp was when it was processed (one
  /// histogram update for the lot: the pipeline hands over a consumed chunk's events at once).
  void observe_event_lags(std::span<const double> seconds);

  /// Exports the per-topic counters of each input topic (consumed, processed, deduplicated, lost
  /// to retention) at 0 before its first message: a rate or increase() needs a sample from before
  /// the first count (input lost to retention at the first fetch after a restart was 34244 in
  /// Prometheus' first sample, and SegdInputLostToRetention never fired).
  void declare_topics(const std::vector<std::string>& topics);
  /// Applies one set of snapshots to the counters and gauges.
  void update(const MetricsInputs& inputs);
  /// Reads the backend (blocking briefly: call it off any event loop), updates, and returns the
  /// text exposition format 0.0.4.
  [[nodiscard]] std::string scrape(AdminBackend& backend);
  /// The current text exposition of the registry, without refreshing.
  [[nodiscard]] std::string serialize() const;

  /// The registry, for callers that want to add metrics of their own.
  [[nodiscard]] prometheus::Registry& registry() { return registry_; }

 private:
  static void advance(prometheus::Counter& counter, double total);
  using GaugeMap = std::map<std::string, prometheus::Gauge*>;
  /// Sets one gauge per entry of `values`, removes those of `exported` not in it, and returns
  /// the gauges now exported.
  [[nodiscard]] static GaugeMap sync_gauges(prometheus::Family<prometheus::Gauge>& family,
                                            const std::string& label,
                                            const std::map<std::string, double>& values,
                                            GaugeMap exported);
  void update_topics(const PipelineSnapshot& pipeline);
  void update_partitions(const PipelineSnapshot& pipeline);
  void update_segments(const MetricsInputs& inputs);
  void update_store_and_model(const MetricsInputs& inputs);

  prometheus::Registry registry_;
  std::mutex update_mutex_;  ///< Serializes update(): counters advance by delta.

  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& processed_;
  prometheus::Family<prometheus::Counter>& deduplicated_;
  prometheus::Family<prometheus::Counter>& dead_lettered_;
  prometheus::Family<prometheus::Counter>& lost_to_retention_;
  prometheus::Family<prometheus::Counter>& segment_changes_;
  prometheus::Counter& outbox_published_;
  prometheus::Counter& outbox_publish_errors_;
  prometheus::Counter& timers_fired_;
  prometheus::Family<prometheus::Counter>& rule_reloads_;
  prometheus::Counter& rule_reloads_applied_;  // Of rule_reloads_ (declared after it).
  prometheus::Counter& rule_reloads_rejected_;
  prometheus::Counter& batches_;
  prometheus::Counter& wal_syncs_;

  prometheus::Histogram& batch_duration_;
  prometheus::Histogram& batch_events_;
  prometheus::Histogram& event_lag_;
  const std::vector<double> event_lag_bounds_;

  prometheus::Family<prometheus::Gauge>& consumer_lag_;
  prometheus::Family<prometheus::Gauge>& stream_time_;
  prometheus::Family<prometheus::Gauge>& segment_members_;
  prometheus::Gauge& outbox_pending_;
  prometheus::Gauge& consumption_paused_;
  prometheus::Gauge& customers_;
  prometheus::Gauge& live_data_bytes_;
  prometheus::Gauge& memtable_bytes_;
  prometheus::Gauge& pending_compaction_bytes_;
  prometheus::Gauge& block_cache_hit_ratio_;
  prometheus::Gauge& model_version_;
  prometheus::Gauge& model_refit_seconds_;
  prometheus::Gauge& ready_;

  // The labelled gauges currently exported, so that vanished labels can be removed.
  GaugeMap lag_gauges_;
  GaugeMap stream_time_gauges_;
  GaugeMap member_gauges_;
};

}  // namespace segd::io
