#pragma once

#include "io/kafka/conf.h"
#include "io/pipeline/pipeline_config.h"

namespace segd::io {

/// The input consumer's librdkafka properties: segd's settings, then
/// `config.rdkafka_overrides` (they win).
[[nodiscard]] kafka::Properties consumer_properties(const PipelineConfig& config);

/// segd's default for librdkafka's `queued.min.messages`. librdkafka 2.0's group consumer
/// forwards every partition's fetch queue to the one consumer queue and holds that whole queue
/// against this per-partition limit (default 100000); once over it, the fetcher looks again only
/// on its next periodic wake-up, about a second later, by which time a fast pipeline has emptied
/// the queue and waits. At this value prefetching stops at `queued.max.messages.kbytes` (64 MiB)
/// instead, which still bounds the memory.
inline constexpr const char* kQueuedMinMessages = "1000000";

}  // namespace segd::io
