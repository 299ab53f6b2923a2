#pragma once

#include <cstdint>

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

/// segd's default for librdkafka's `fetch.max.bytes` (4 MiB; librdkafka's own is 50 MiB), raised
/// to `message.max.bytes` when an override sets that higher (librdkafka refuses a fetch limit
/// below it). librdkafka parses a fetch response only once all of it has arrived, and the
/// messages of one response keep its whole buffer alive: a catching-up consumer of many
/// partitions got 50 MiB responses, parsed and processed them after they had left the CPU
/// caches, and faulted fresh buffers in. With 4 MiB the pipeline starts sooner on data still in
/// cache (bench/NOTES.md: 1.09-1.19x end to end, a fifth fewer page faults, peak RSS -15%).
inline constexpr int64_t kFetchMaxBytes = int64_t{4} << 20;

}  // namespace segd::io
