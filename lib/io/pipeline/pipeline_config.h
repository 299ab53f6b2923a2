#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/scoring/clusters.h"

namespace segd::io {

enum class WireFormat : uint8_t { kJson, kProtobuf };

/// An input topic and how its payloads are encoded.
struct InputTopicConfig {
  std::string name;
  WireFormat format = WireFormat::kJson;
};

/// What the Kafka pipeline needs; built by service/segd from SegdConfig.
struct PipelineConfig {
  std::string brokers = "127.0.0.1:9092";                // Default: 127.0.0.1:9092
  std::string group_id = "segd";                         // Default: segd
  std::vector<InputTopicConfig> inputs;                  // Co-partitioned by customer_id.
  std::string output_topic = "segment-changes";          // Default: segment-changes
  WireFormat output_format = WireFormat::kJson;          // Default: JSON
  std::string dead_letter_topic = "segd-dead-letters";   // Default: segd-dead-letters
  std::map<std::string, std::string> rdkafka_overrides;  // Passed to every client.
  std::chrono::milliseconds session_timeout{10000};      // Default: 10s
  size_t batch_max_events = 5000;                        // Default: 5000
  /// Timer firings per batch in a burst of timers due before one event.
  size_t batch_max_timers = 5000;                 // Default: 5000
  std::chrono::milliseconds batch_max_wait{100};  // Default: 100ms
  size_t cache_customers = 200000;                // Default: 200k
  /// Events whose ts is further ahead of their record's timestamp are dead-lettered
  /// (check_event_time); 0 = no limit. Default: 1 hour
  int64_t max_event_time_ahead_ms = 3'600'000;
  size_t outbox_max_in_flight = 100000;  // Default: 100k
  /// How much lower than the pipeline's the priority (nice value) of the outbox's publishing
  /// threads is: the drainer and its producer's librdkafka threads. 0 = the same. Default: 10
  int publisher_nice = 10;
  /// Consumption pauses once this many changes are pending in the outbox, and resumes once at
  /// most half as many are (Pipeline::apply_backpressure). Default: 1M
  size_t outbox_max_pending = 1000000;
  /// Shutdown: how long the outbox drains, and how long the last batch's dead letters may take to
  /// be confirmed (Pipeline::await_dead_letter_reports). Default: 30s
  std::chrono::milliseconds drain_timeout{30000};
  /// How long the event-time merge of several input topics waits for a topic with nothing
  /// buffered before it releases the others' events anyway. Default: 500ms
  std::chrono::milliseconds merge_max_wait{500};
  /// Model refits each time the stream time (max over assigned partitions) crosses a multiple of
  /// this; 0 = off. Default: 7 days
  int64_t refit_every_ms = 7 * 86'400'000LL;
  bool refit_weekly_unit = false;  ///< BG/NBD time unit week instead of day. Default: day
  size_t kmeans_k = core::scoring::kDefaultClusters;  ///< Default: 6
};

}  // namespace segd::io
