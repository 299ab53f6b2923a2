#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace segd::devbroker {

/// Whether the broker keeps running after a command.
enum class After { kContinue, kQuit };

/// The reply to one control command: `ok` or `error: ...`, and whether to stop.
struct Reply {
  std::string text;
  After after = After::kContinue;

  bool operator==(const Reply&) const = default;
};

/// A Kafka protocol API key from a name (`Produce`, `FindCoordinator`, case-insensitive) or a
/// number. Errors: code `bad_api_key`.
[[nodiscard]] core::Result<int16_t> parse_api_key(std::string_view text);

/// A librdkafka error code from its name (`NOT_LEADER_FOR_PARTITION`, `_TRANSPORT`, optionally
/// prefixed `RD_KAFKA_RESP_ERR_`) or a number. Errors: code `bad_error_code`.
[[nodiscard]] core::Result<rd_kafka_resp_err_t> parse_error_code(std::string_view text);

/// Runs one command line against the mock cluster of `brokers` brokers (ids 1..brokers) and
/// returns its reply. Blank lines and lines starting with `#` reply `ok`. Broker ids and
/// partitions are checked here where the mock would accept anything (a coordinator on a broker
/// that does not exist aborted the whole cluster at the next FindCoordinator). Not thread-safe;
/// the mock API itself is.
[[nodiscard]] Reply run_command(rd_kafka_mock_cluster_t* cluster,
                                int32_t brokers,
                                std::string_view line);

}  // namespace segd::devbroker
