#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

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

/// The largest record a producer `rk` sends (its message.max.bytes: payload, key and headers).
[[nodiscard]] size_t max_message_bytes(rd_kafka_t* rk);

/// What librdkafka refuses of a configuration.
struct Refusal {
  std::string property;  ///< The property it does not set; empty when it refuses the client.
  std::string reason;    ///< librdkafka's words.

  bool operator==(const Refusal&) const = default;
};

/// What librdkafka refuses in `properties` for a client of `type`, as make_conf() and
/// make_client() would: every property it does not set (unknown, a bad value), else why it does
/// not create the client, the checks across properties it makes only then
/// (`max.poll.interval.ms` must be >= `session.timeout.ms`, ...). Empty: it takes them. The
/// trial client has no brokers and no SASL (`ssl` for `ssl` and `sasl_ssl`, which loads the SSL
/// files as the real client would; else `plaintext`), so it connects nowhere and runs no login
/// (SASL, OIDC), logs nothing, and is destroyed at once: a few milliseconds of librdkafka's
/// threads, no I/O beyond reading those files. Thread-safe.
[[nodiscard]] std::vector<Refusal> refusals(rd_kafka_type_t type, const Properties& properties);

}  // namespace segd::io::kafka
