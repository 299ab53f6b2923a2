#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "io/kafka/handles.h"

namespace segd::test {

/// One consumed Kafka record.
struct Record {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
};

/// Reads `topic` partitions 0..partition_count-1 from the beginning to their end with a plain
/// librdkafka consumer (assign, no group join). Blocks up to 15 s. Errors: `kafka.*`, `timeout`.
/// A consumer assigned to every partition of `topic` from the beginning, with partition EOF events.
[[nodiscard]] core::Result<io::kafka::KafkaPtr> open_reader(const std::string& bootstrap,
                                                            const std::string& topic,
                                                            int32_t partition_count);

[[nodiscard]] core::Result<std::vector<Record>> consume_all(const std::string& bootstrap,
                                                            const std::string& topic,
                                                            int32_t partition_count);

/// `count` JSON lines of about 200 bytes for `customers` distinct customer ids, one per line.
[[nodiscard]] std::string make_lines(int64_t count, int64_t customers);

}  // namespace segd::test
