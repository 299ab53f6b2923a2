#pragma once

#include <map>
#include <string>

#include "core/common/result.h"
#include "io/kafka/handles.h"

namespace segd::io::kafka {

/// librdkafka properties by name, passed through unchanged (`KafkaConfig::rdkafka_overrides`).
using Properties = std::map<std::string, std::string>;

/// Builds a librdkafka configuration from `properties`, applied in key order. Errors: code
/// `kafka.bad_config` naming the property and librdkafka's reason. Pure apart from allocation.
[[nodiscard]] core::Result<ConfPtr> make_conf(const Properties& properties);

/// Creates a client of `type` from `conf`, taking ownership of it. Errors: `kafka.create_failed`.
[[nodiscard]] core::Result<KafkaPtr> make_client(rd_kafka_type_t type, ConfPtr conf);

}  // namespace segd::io::kafka
