#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>

#include "io/log/log.h"

namespace segd::io {

/// segd's level for a librdkafka log line of syslog `level`: 0-3 error, 4 warning, 5-6 info,
/// 7 debug; except the warnings that a consumer property is ignored by a producer or the other
/// way round (`CONFWARN`), which are debug: segd gives `kafka.rdkafka` to all its clients.
[[nodiscard]] LogLevel kafka_log_level(int level, std::string_view facility, std::string_view text);

/// The message of a librdkafka log line in segd's log: `<client> <facility>: <text>`, for example
/// `rdkafka#consumer-1 FAIL: 127.0.0.1:9092/1: Connect to ... failed`.
[[nodiscard]] std::string kafka_log_message(std::string_view client,
                                            std::string_view facility,
                                            std::string_view text);

/// Sends the client's own log lines through io::log() (component `rdkafka`) instead of
/// librdkafka's default `%4|<time>|FAC|name| ...` lines on stderr, so segd's log keeps one format
/// and one level threshold. Call on every conf before its client is created.
void route_kafka_logs(rd_kafka_conf_t* conf);

}  // namespace segd::io
