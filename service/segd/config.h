#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/scoring/clusters.h"

namespace segd::service {

/// Wire format of a Kafka topic's payloads.
enum class PayloadFormat : uint8_t { kJson, kProtobuf };

/// One consumed topic and the format of its payloads.
struct InputTopic {
  std::string name;
  PayloadFormat format = PayloadFormat::kJson;  // Default: json

  bool operator==(const InputTopic&) const = default;
};

/// Kafka connection, topics and librdkafka pass-through (YAML section `kafka`).
struct KafkaSettings {
  std::string brokers = "127.0.0.1:9092";  // Default: 127.0.0.1:9092 (comma-separated list)
  std::string group_id = "segd";           // Default: segd
  std::vector<InputTopic> input_topics = {{"clicks"}, {"purchases"}};  // Default: clicks, purchases
  std::string output_topic = "segment-changes";                        // Default: segment-changes
  PayloadFormat output_format = PayloadFormat::kJson;                  // Default: json
  std::string dead_letter_topic = "segd-dead-letters";                 // Default: segd-dead-letters
  /// The input topic `DELETE /v1/customers/{id}` writes erasure events to; empty: erase locally.
  std::string erasure_topic;  // Default: empty
  /// Pass-through librdkafka properties for the consumer and the producers.
  std::map<std::string, std::string> rdkafka;        // Default: empty
  std::chrono::milliseconds session_timeout{10000};  // Default: 10000ms

  bool operator==(const KafkaSettings&) const = default;
};

/// RocksDB state store (YAML section `state`).
struct StateSettings {
  std::string dir = "/var/lib/segd";  // Default: /var/lib/segd
  size_t block_cache_mb = 256;        // Default: 256
  /// What a commit survives: `process_crash` (WAL written, not fsynced) or `power_loss` (WAL
  /// fsynced on every commit).
  std::string durability = "process_crash";  // Default: process_crash

  bool operator==(const StateSettings&) const = default;
};

/// Segment rule definitions (YAML section `rules`).
struct RulesSettings {
  std::string file = "/etc/segd/segments.yaml";  // Default: /etc/segd/segments.yaml

  bool operator==(const RulesSettings&) const = default;
};

/// Batching and caching of the engine (YAML section `engine`).
struct EngineSettings {
  size_t batch_max_events = 5000;                 // Default: 5000
  size_t batch_max_timers = 5000;                 // Default: 5000
  std::chrono::milliseconds batch_max_wait{100};  // Default: 100ms
  size_t cache_customers = 200000;                // Default: 200000
  /// Events further ahead of their Kafka record's timestamp are dead-lettered (`future_timestamp`).
  std::string max_event_time_ahead = "1h";  // Default: 1h ("off" disables; see parse_duration)

  bool operator==(const EngineSettings&) const = default;
};

/// Outbox drainer limits (YAML section `outbox`).
struct OutboxSettings {
  size_t max_in_flight = 100000;                            // Default: 100000
  size_t max_pending = 1000000;                             // Default: 1000000
  std::chrono::milliseconds shutdown_drain_timeout{30000};  // Default: 30000ms
  int publisher_nice = 10;                                  // Default: 10 (0..19)

  bool operator==(const OutboxSettings&) const = default;
};

/// HTTP admin and metrics endpoint (YAML section `admin`).
struct AdminSettings {
  std::string listen = "127.0.0.1:9464";            // Default: 127.0.0.1:9464
  std::string token;                                // Default: empty (no token)
  size_t max_connections = 64;                      // Default: 64
  size_t max_body_bytes = 1 << 20;                  // Default: 1048576
  std::chrono::milliseconds request_timeout{5000};  // Default: 5000ms

  bool operator==(const AdminSettings&) const = default;
};

/// Model refit cadence and shape (YAML section `models`).
struct ModelSettings {
  std::string refit_every = "7d";  // Default: 7d (stream time; "off" disables; see parse_duration)
  std::string time_unit = "day";   // Default: day (hour|day|week)
  int kmeans_k = static_cast<int>(core::scoring::kDefaultClusters);  // Default: 6

  bool operator==(const ModelSettings&) const = default;
};

/// Logging (YAML section `log`).
struct LogSettings {
  std::string level = "info";  // Default: info (debug|info|warn|error)

  bool operator==(const LogSettings&) const = default;
};

/// The whole effective configuration of the segd daemon.
struct SegdConfig {
  KafkaSettings kafka;
  StateSettings state;
  RulesSettings rules;
  EngineSettings engine;
  OutboxSettings outbox;
  AdminSettings admin;
  ModelSettings models;
  LogSettings log;

  bool operator==(const SegdConfig&) const = default;
};

/// Everything load_config() merges, already read by the caller (no I/O here).
struct ConfigSources {
  /// Contents of the YAML file, if one was given.
  std::optional<std::string> yaml_text;
  /// Where yaml_text came from (a path), used in error messages.
  std::string origin;
  /// The process environment as NAME/VALUE pairs; only names starting with SEGD_ are read.
  std::vector<std::pair<std::string, std::string>> env;
  /// Command-line overrides as dotted key/value pairs, applied in order.
  std::vector<std::pair<std::string, std::string>> overrides;
};

/// Result of parse_command_line().
struct CommandLine {
  std::optional<std::string> config_path;  ///< --config FILE
  bool print_config = false;               ///< --print-config
  bool help = false;                       ///< --help or -h
  bool exit_at_end = false;                ///< --exit-at-end
  /// Every `--<dotted.key> VALUE`, in order.
  std::vector<std::pair<std::string, std::string>> overrides;
};

/// Host and port of a listen address.
struct HostPort {
  std::string host;
  uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

/// Merges defaults < YAML < environment (SEGD_*) < overrides, then validates the result.
/// Errors have code `config`; the message holds one line per problem, each naming the key
/// (`engine.batch_max_events: must be between 1 and 1000000, got 0 (from SEGD_...)`; a problem
/// between keys names the sources of the others too: `(from S; kafka.input_topics from S2)`).
/// Unknown YAML keys, unknown SEGD_* variables and unknown override keys are errors. The
/// kafka.rdkafka properties, when there are any, are given to librdkafka as segd's consumer
/// and producers would be (io::kafka::refusals: a trial client of each, no brokers, a few
/// milliseconds); what it refuses is an error of the property's key. No I/O, no globals.
/// Thread-safe.
[[nodiscard]] core::Result<SegdConfig> load_config(const ConfigSources& sources);

/// A problem with `key` found after load_config(), such as a rules.file that does not open, in
/// its words: `rules.file: PROBLEM (from SOURCE)`, SOURCE being what set the key in `sources`
/// (none for a default). Pure.
[[nodiscard]] std::string key_problem(const ConfigSources& sources,
                                      std::string_view key,
                                      std::string_view problem);

/// Parses `segd` arguments (argv[0] is skipped): `--config FILE`, `--print-config`, `--help`,
/// and `--<dotted.key>=VALUE` or `--<dotted.key> VALUE`. Keys are not checked here
/// (load_config does). Errors have code `usage`: missing value, positional argument.
[[nodiscard]] core::Result<CommandLine> parse_command_line(int argc, char** argv);

/// The SEGD_* variables of a `NAME=VALUE` environment block such as `environ`, for
/// ConfigSources::env and config_path(). Pure.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> segd_environment(
    const char* const* envp);

/// The config file to read: `--config` wins over SEGD_CONFIG; nullopt means defaults only.
[[nodiscard]] std::optional<std::string> config_path(
    const CommandLine& command_line, const std::vector<std::pair<std::string, std::string>>& env);

/// The effective config as YAML in the config-file layout, every key present, the admin token
/// and secret librdkafka properties shown as "***" when set. load_config() of the output gives
/// back the same config when it has no secrets; "***" itself is refused as a secret's value.
[[nodiscard]] std::string render_config(const SegdConfig& config);

/// The `segd --help` text: flags, the environment convention, a pointer to CONFIG.md.
[[nodiscard]] std::string usage_text();

/// Every dotted key load_config() accepts, in file order (`kafka.brokers`, ...).
[[nodiscard]] std::vector<std::string> config_keys();

/// The environment variable for a dotted key: `SEGD_` + upper case, `.` -> `_`.
[[nodiscard]] std::string env_var_for(std::string_view key);

/// "json" or "protobuf".
[[nodiscard]] std::string_view format_name(PayloadFormat format);

/// Parses `json` or `protobuf`; error code `config`.
[[nodiscard]] core::Result<PayloadFormat> parse_payload_format(std::string_view text);

/// Parses a positive duration `<n><unit>`, unit s, m, h, d or w (`12h`, `7d`); error `config`.
[[nodiscard]] core::Result<std::chrono::milliseconds> parse_duration(std::string_view text);
/// core::parse_duration_or_off_ms() as milliseconds, zero for `off` (the keys that can be switched
/// off: `models.refit_every`, `engine.max_event_time_ahead`); error `config`.
[[nodiscard]] core::Result<std::chrono::milliseconds> parse_duration_or_off(std::string_view text);

/// Parses `IP:PORT` (`[v6addr]:PORT` for IPv6; port 0..65535). The host must be an IP address
/// literal, not a name: the admin server binds it as it is. Error code `config`.
[[nodiscard]] core::Result<HostPort> parse_host_port(std::string_view text);

}  // namespace segd::service
