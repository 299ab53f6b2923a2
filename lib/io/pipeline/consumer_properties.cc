#include "io/pipeline/consumer_properties.h"

#include <algorithm>

namespace segd::io {

kafka::Properties consumer_properties(const PipelineConfig& config) {
  kafka::Properties props = {
      {"bootstrap.servers", config.brokers},
      {"group.id", config.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      // A position the broker no longer holds: go on at the partition's beginning (the pipeline
      // counts what the broker removed unread).
      {"auto.offset.reset", "earliest"},
      // range keeps equal partition numbers of co-partitioned topics on one member.
      {"partition.assignment.strategy", "range"},
      {"session.timeout.ms", std::to_string(config.session_timeout.count())},
      // librdkafka heartbeats every 3 s; a shorter session (kafka.session_timeout_ms from 1000)
      // would expire between two heartbeats and the group would rebalance over and over.
      {"heartbeat.interval.ms",
       std::to_string(std::min<int64_t>(3000, config.session_timeout.count() / 3))},
      {"fetch.wait.max.ms", "50"},
      {"queued.min.messages", kQueuedMinMessages},
  };
  for (const auto& [k, v] : config.rdkafka_overrides) {
    props[k] = v;
  }
  return props;
}

}  // namespace segd::io
