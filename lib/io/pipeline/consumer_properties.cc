#include "io/pipeline/consumer_properties.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace segd::io {
namespace {

// kFetchMaxBytes, or a larger `message.max.bytes` of the overrides (one librdkafka would refuse
// is reported as that key's error when the config is checked).
int64_t fetch_max_bytes(const kafka::Properties& overrides) {
  const auto message_max = overrides.find("message.max.bytes");
  if (message_max == overrides.end()) {
    return kFetchMaxBytes;
  }
  int64_t value = 0;
  const std::string& text = message_max->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool whole = error == std::errc() && end == text.data() + text.size();
  return whole ? std::max(kFetchMaxBytes, value) : kFetchMaxBytes;
}

}  // namespace

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
      {"fetch.max.bytes", std::to_string(fetch_max_bytes(config.rdkafka_overrides))},
  };
  for (const auto& [k, v] : config.rdkafka_overrides) {
    props[k] = v;
  }
  return props;
}

}  // namespace segd::io
