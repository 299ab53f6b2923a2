#include "io/pipeline/consumer_properties.h"

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
      {"fetch.wait.max.ms", "50"},
      {"queued.min.messages", kQueuedMinMessages},
  };
  for (const auto& [k, v] : config.rdkafka_overrides) {
    props[k] = v;
  }
  return props;
}

}  // namespace segd::io
