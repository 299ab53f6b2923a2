#include "service/segd/config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/scoring/trainer.h"
#include "embedded_docs.h"

namespace segd::service {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

core::Result<SegdConfig> load(std::optional<std::string> yaml,
                              Pairs env = {},
                              Pairs overrides = {}) {
  return load_config(
      ConfigSources{std::move(yaml), "segd.yaml", std::move(env), std::move(overrides)});
}

/// The error message of a load that must fail.
std::string error_of(const core::Result<SegdConfig>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value()) {
    return {};
  }
  EXPECT_EQ(result.error().code, "config");
  return result.error().message;
}

core::Result<CommandLine> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "segd");
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(ConfigTest, NoSourcesGiveTheDocumentedDefaults) {
  auto config = load(std::nullopt);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, SegdConfig{});
  EXPECT_EQ(config->kafka.brokers, "127.0.0.1:9092");
  ASSERT_EQ(config->kafka.input_topics.size(), 2U);
  EXPECT_EQ(config->kafka.input_topics[1].name, "purchases");
  EXPECT_EQ(config->engine.batch_max_wait, std::chrono::milliseconds{100});
  EXPECT_EQ(config->admin.max_body_bytes, 1U << 20);
  EXPECT_EQ(config->outbox.publisher_nice, 10);
}

TEST(ConfigTest, ShippedYamlFileEqualsDefaults) {
  auto config = load(std::string(testing::kDefaultYaml));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, SegdConfig{});
}

TEST(ConfigTest, EmptyYamlGivesDefaults) {
  auto config = load(std::string("# nothing\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, SegdConfig{});
}

TEST(ConfigTest, YamlOverridesDefaults) {
  auto config = load(std::string(R"(
kafka:
  brokers: b1:9092,b2:9092
  input_topics:
    - {name: web, format: protobuf}
    - app
  output_format: protobuf
  rdkafka: {statistics.interval.ms: 5000, enable.idempotence: true}
  session_timeout_ms: 45000
engine: {batch_max_events: 250, batch_max_wait_ms: 20}
admin: {listen: "[::1]:0", token: abc}
models: {refit_every: 12h, time_unit: week, kmeans_k: 8}
log: {level: debug}
state: {durability: power_loss}
outbox: {publisher_nice: 0}
)"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->kafka.brokers, "b1:9092,b2:9092");
  EXPECT_EQ(config->kafka.input_topics,
            (std::vector<InputTopic>{{"web", PayloadFormat::kProtobuf}, {"app"}}));
  EXPECT_EQ(config->kafka.output_format, PayloadFormat::kProtobuf);
  EXPECT_EQ(config->kafka.rdkafka.at("statistics.interval.ms"), "5000");
  EXPECT_EQ(config->kafka.rdkafka.at("enable.idempotence"), "true");
  EXPECT_EQ(config->kafka.session_timeout, std::chrono::milliseconds{45000});
  EXPECT_EQ(config->engine.batch_max_events, 250U);
  EXPECT_EQ(config->engine.batch_max_wait, std::chrono::milliseconds{20});
  EXPECT_EQ(config->engine.cache_customers, 200000U);
  EXPECT_EQ(config->admin.listen, "[::1]:0");
  EXPECT_EQ(config->admin.token, "abc");
  EXPECT_EQ(config->models, (ModelSettings{"12h", "week", 8}));
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->state.durability, "power_loss");
  EXPECT_EQ(config->outbox.publisher_nice, 0);
}

TEST(ConfigTest, EnvironmentOverridesYaml) {
  auto config = load(std::string("state: {dir: /from/yaml}\nengine: {batch_max_events: 10}\n"),
                     {{"SEGD_STATE_DIR", "/from/env"},
                      {"SEGD_ADMIN_TOKEN", "t0k"},
                      {"SEGD_KAFKA_RDKAFKA", "linger.ms=1;client.id=x,y;"},
                      {"PATH", "/usr/bin"},
                      {"SEGD_CONFIG", "/etc/segd/segd.yaml"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->state.dir, "/from/env");
  EXPECT_EQ(config->engine.batch_max_events, 10U);
  EXPECT_EQ(config->admin.token, "t0k");
  EXPECT_EQ(config->kafka.rdkafka,
            (std::map<std::string, std::string>{{"linger.ms", "1"}, {"client.id", "x,y"}}));
}

TEST(ConfigTest, FlagsOverrideEnvironment) {
  auto config = load(std::string("log: {level: error}\n"),
                     {{"SEGD_LOG_LEVEL", "warn"}, {"SEGD_ENGINE_BATCH_MAX_EVENTS", "7"}},
                     {{"log.level", "debug"},
                      {"engine.batch_max_events", "9"},
                      {"engine.batch_max_events", "11"},
                      {"kafka.rdkafka.linger.ms", "5"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->engine.batch_max_events, 11U);
  EXPECT_EQ(config->kafka.rdkafka.at("linger.ms"), "5");
}

TEST(ConfigTest, RdkafkaEnvMergesOverYamlMap) {
  auto config = load(std::string("kafka: {rdkafka: {linger.ms: '1', client.id: '2'}}\n"),
                     {{"SEGD_KAFKA_RDKAFKA", "client.id=3"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->kafka.rdkafka,
            (std::map<std::string, std::string>{{"linger.ms", "1"}, {"client.id", "3"}}));
}

TEST(ConfigTest, ParsesInputTopicLists) {
  auto config =
      load(std::nullopt, {{"SEGD_KAFKA_INPUT_TOPICS", " clicks:json, purchases:protobuf,x"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->kafka.input_topics,
            (std::vector<InputTopic>{{"clicks", PayloadFormat::kJson},
                                     {"purchases", PayloadFormat::kProtobuf},
                                     {"x", PayloadFormat::kJson}}));
  EXPECT_EQ(
      error_of(load(std::nullopt, {}, {{"kafka.input_topics", "a,,b"}})),
      "kafka.input_topics: expected NAME[:FORMAT],..., got 'a,,b' (from --kafka.input_topics)");
  EXPECT_EQ(error_of(load(std::nullopt, {}, {{"kafka.input_topics", "a:xml"}})),
            "kafka.input_topics: expected json or protobuf, got 'xml' (from --kafka.input_topics)");
  EXPECT_EQ(error_of(load(std::nullopt, {}, {{"kafka.input_topics", "a,b,a"}})),
            "kafka.input_topics: duplicate topic 'a' (from --kafka.input_topics)");
  EXPECT_EQ(error_of(load(std::nullopt, {}, {{"kafka.input_topics", "bad topic"}})),
            "kafka.input_topics: expected a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -), got "
            "'bad topic' (from --kafka.input_topics)");
}

TEST(ConfigTest, ReportsRangeErrorsWithKeyAndSource) {
  EXPECT_EQ(error_of(load(std::string("engine:\n  batch_max_events: 0\n"))),
            "engine.batch_max_events: must be between 1 and 1000000, got 0 (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_ENGINE_BATCH_MAX_EVENTS", "-3"}})),
            "engine.batch_max_events: must be between 1 and 1000000, got -3 "
            "(from SEGD_ENGINE_BATCH_MAX_EVENTS)");
  EXPECT_EQ(error_of(load(std::nullopt, {}, {{"models.kmeans_k", "101"}})),
            "models.kmeans_k: must be between 2 and 100, got 101 (from --models.kmeans_k)");
}

TEST(ConfigTest, LaterSourceRepairsInvalidEarlierValue) {
  auto config =
      load(std::string("engine: {batch_max_events: 0}\n"), {}, {{"engine.batch_max_events", "5"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->engine.batch_max_events, 5U);
}

TEST(ConfigTest, ReportsEveryDocumentedValidationError) {
  const std::vector<std::pair<Pairs, std::string>> cases = {
      {{{"kafka.input_topics", ""}}, "kafka.input_topics: must not be empty"},
      {{{"kafka.output_format", "xml"}},
       "kafka.output_format: expected json or protobuf, got 'xml'"},
      {{{"admin.listen", "localhost"}},
       "admin.listen: expected IP:PORT or [IPv6]:PORT, got 'localhost'"},
      {{{"admin.listen", "1.2.3.4:70000"}},
       "admin.listen: expected IP:PORT or [IPv6]:PORT, got '1.2.3.4:70000'"},
      {{{"admin.listen", "::1:80"}}, "admin.listen: expected IP:PORT or [IPv6]:PORT, got '::1:80'"},
      // Host names passed validation and failed at startup, in an error not naming the key.
      {{{"admin.listen", "localhost:0"}},
       "admin.listen: expected IP:PORT or [IPv6]:PORT, got 'localhost:0'"},
      {{{"admin.listen", "a b:0"}}, "admin.listen: expected IP:PORT or [IPv6]:PORT, got 'a b:0'"},
      {{{"admin.listen", "1.2.3.4.5:80"}},
       "admin.listen: expected IP:PORT or [IPv6]:PORT, got '1.2.3.4.5:80'"},
      {{{"admin.listen", "[localhost]:80"}},
       "admin.listen: expected IP:PORT or [IPv6]:PORT, got '[localhost]:80'"},
      {{{"log.level", "verbose"}}, "log.level: expected debug, info, warn or error, got 'verbose'"},
      {{{"models.refit_every", "7 days"}},
       "models.refit_every: expected off or a duration like 12h or 7d, got '7 days'"},
      {{{"models.refit_every", "0h"}},
       "models.refit_every: expected off or a duration like 12h or 7d, got '0h'"},
      {{{"models.refit_every", "30m"}},
       "models.refit_every: must be off or at least 1h (each refit reads every stored customer), "
       "got '30m'"},
      {{{"models.time_unit", "month"}}, "models.time_unit: expected day or week, got 'month'"},
      {{{"engine.max_event_time_ahead", "1 hour"}},
       "engine.max_event_time_ahead: expected off or a duration like 15m or 1h, got '1 hour'"},
      {{{"kafka.erasure_topic", "erasures"}},
       "kafka.erasure_topic: must be one of kafka.input_topics (segd applies the erasures it reads "
       "there), got 'erasures'"},
      {{{"state.durability", "fsync"}},
       "state.durability: expected process_crash or power_loss, got 'fsync'"},
      {{{"kafka.session_timeout_ms", "10s"}},
       "kafka.session_timeout_ms: expected an integer, got '10s'"},
      // Linux has no nice value above 19; a negative one would raise the threads' priority.
      {{{"outbox.publisher_nice", "20"}},
       "outbox.publisher_nice: must be between 0 and 19, got 20"},
      {{{"outbox.publisher_nice", "-1"}},
       "outbox.publisher_nice: must be between 0 and 19, got -1"},
      // librdkafka refused it at startup: max.poll.interval.ms (300000) must not be lower.
      {{{"kafka.session_timeout_ms", "300001"}},
       "kafka.session_timeout_ms: must be between 1000 and 300000, got 300001"},
      {{{"kafka.brokers", ""}}, "kafka.brokers: must not be empty"},
      // Ports out of range were accepted (99999 wrapped) and failed only at connect time.
      {{{"kafka.brokers", "b1:99999"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got 'b1:99999'"},
      {{{"kafka.brokers", "b1:9092,b2:0"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got 'b1:9092,b2:0'"},
      {{{"kafka.brokers", "b1:x"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got 'b1:x'"},
      {{{"kafka.brokers", "b1:"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got 'b1:'"},
      {{{"kafka.brokers", "[::1]:65536"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got '[::1]:65536'"},
      {{{"kafka.brokers", "b1:9092,,b2:9092"}},
       "kafka.brokers: expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got "
       "'b1:9092,,b2:9092'"},
      // librdkafka logged a parse error and ran without brokers, never ready.
      {{{"kafka.brokers", "b1:9092, bogus://b2:9092"}},
       "kafka.brokers: unknown protocol 'bogus' in 'bogus://b2:9092': expected PLAINTEXT, SSL, "
       "SASL_PLAINTEXT or SASL_SSL"},
      {{{"kafka.group_id", ""}}, "kafka.group_id: must not be empty"},
      {{{"state.dir", ""}}, "state.dir: must not be empty"},
      {{{"admin.token", "a b"}}, "admin.token: must not contain whitespace or control characters"},
      {{{"kafka.output_topic", "clicks"}},
       "kafka.output_topic: must differ from the input topics, got 'clicks'"},
      {{{"kafka.dead_letter_topic", "segment-changes"}},
       "kafka.dead_letter_topic: must differ from the input and output topics, got "
       "'segment-changes'"},
      {{{"kafka.rdkafka", "noequals"}}, "kafka.rdkafka: expected PROP=VALUE;..., got 'noequals'"},
      {{{"kafka.rdkafka.group.id", "x"}}, "kafka.rdkafka.group.id: set kafka.group_id instead"},
      // Accepted before: every produce then failed, the first dead letter stopped segd.
      {{{"kafka.rdkafka.transactional.id", "x"}},
       "kafka.rdkafka.transactional.id: not supported (segd's producers are idempotent, not "
       "transactional: exactly-once output comes from the outbox in the state dir)"},
      {{{"kafka.rdkafka.partition.assignment.strategy", "cooperative-sticky"}},
       "kafka.rdkafka.partition.assignment.strategy: must be range (one instance must own the "
       "same partition number of every input topic), got 'cooperative-sticky'"},
      {{{"kafka.rdkafka.enable.auto.commit", "true"}},
       "kafka.rdkafka.enable.auto.commit: must be false (input positions live in the state dir; "
       "segd commits to the group itself, for lag monitoring), got 'true'"},
      {{{"kafka.rdkafka.enable.auto.offset.store", "true"}},
       "kafka.rdkafka.enable.auto.offset.store: must be false (input positions live in the state "
       "dir; segd commits to the group itself, for lag monitoring), got 'true'"},
      {{{"kafka.rdkafka.auto.offset.reset", "latest"}},
       "kafka.rdkafka.auto.offset.reset: must be earliest (a partition whose position the broker "
       "no longer holds goes on at its beginning, and segd counts what the broker removed "
       "unread), got 'latest'"},
      {{{"kafka.rdkafka.enable.partition.eof", "false"}},
       "kafka.rdkafka.enable.partition.eof: must be true (segd follows each partition's end for "
       "readiness and --exit-at-end), got 'false'"},
      {{{"kafka.rdkafka.enable.idempotence", "false"}},
       "kafka.rdkafka.enable.idempotence: must be true (the outbox and dead-letter producers must "
       "not duplicate or reorder records on retries), got 'false'"},
      {{{"kafka.rdkafka.partitioner", "random"}},
       "kafka.rdkafka.partitioner: must be murmur2_random (erasure events go to the input topic's "
       "partition of their customer_id, where segd looks for them, and each customer's segment "
       "changes to one partition, in order), got 'random'"},
      // --print-config's output loaded as it is: the token was "***", and a guessable one.
      {{{"admin.token", "***"}},
       "admin.token: '***' is how --print-config masks a secret, not a value: give the real one"},
      {{{"kafka.rdkafka.sasl.password", "***"}},
       "kafka.rdkafka.sasl.password: '***' is how --print-config masks a secret, not a value: "
       "give the real one"},
      // librdkafka's text ends in a newline; one problem is one line.
      {{{"kafka.rdkafka.message.max.bytes", "100"}},
       "kafka.rdkafka.message.max.bytes: Configuration property \"message.max.bytes\" value 100 "
       "is outside allowed range 1000..1000000000"},
  };
  for (const auto& [overrides, expected] : cases) {
    const std::string flag = "--" + overrides.front().first;
    EXPECT_EQ(error_of(load(std::nullopt, {}, overrides)), expected + " (from " + flag + ")");
  }
}

TEST(ConfigTest, AcceptsTheBootstrapFormsLibrdkafkaTakes) {
  for (const std::string brokers :
       {"b1", "b1:1", "b1:65535", " b1:9092 , b2:9093", "PLAINTEXT://b1:9092", "sasl_ssl://b1:9092",
        "[::1]:9092", "[::1]", "::1", "127.0.0.1:9092"}) {
    auto config = load(std::nullopt, {}, {{"kafka.brokers", brokers}});
    EXPECT_TRUE(config.has_value()) << brokers << ": " << config.error().message;
  }
}

TEST(ConfigTest, ReportsWrongYamlTypes) {
  EXPECT_EQ(error_of(load(std::string("kafka:\n  session_timeout_ms: soon\n"))),
            "kafka.session_timeout_ms: expected an integer, got 'soon' (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka:\n  session_timeout_ms: [1, 2]\n"))),
            "kafka.session_timeout_ms: expected an integer (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka: {brokers: {a: b}}\n"))),
            "kafka.brokers: expected a single value (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka: [1]\n"))),
            "kafka: expected a mapping (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka: {input_topics: clicks}\n"))),
            "kafka.input_topics: expected a list of {name, format} (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("- a\n"))),
            "segd.yaml: expected a mapping of sections at the top level");
}

TEST(ConfigTest, ReportsYamlSyntaxErrorWithLine) {
  std::string message = error_of(load(std::string("kafka:\n  brokers: [a\n")));
  EXPECT_TRUE(message.starts_with("segd.yaml:3:")) << message;
}

TEST(ConfigTest, RejectsUnknownKeysAtEveryLevel) {
  EXPECT_EQ(error_of(load(std::string("kafka:\n  brokerz: x\n"))),
            "unknown key 'kafka.brokerz', did you mean 'kafka.brokers'? (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafak: {}\n"))),
            "unknown key 'kafak', did you mean 'kafka'? (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka: {input_topics: [{name: a, fromat: json}]}\n"))),
            "unknown key 'kafka.input_topics[0].fromat', did you mean "
            "'kafka.input_topics[0].format'? (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("log: {level: info, level: debug}\n"))),
            "log.level: duplicate key (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::nullopt, {}, {{"zzz", "1"}})), "unknown key 'zzz' (from --zzz)");
}

TEST(ConfigTest, ATokenNoDocumentStartsWithIsASyntaxError) {
  // yaml-cpp read ',' as an empty document, so the file gave the defaults (and loading every
  // document never ended).
  EXPECT_EQ(error_of(load(std::string(",log: {level: debug}\n"))),
            "segd.yaml:1:1: unexpected character");
}

TEST(ConfigTest, AnUnterminatedQuoteIsASyntaxError) {
  // yaml-cpp ends an unclosed quoted scalar at the end of the input: state.dir took the rest of
  // the file, and rules.file and log.level kept their defaults without a word.
  EXPECT_EQ(error_of(load(std::string("state:\n  dir: \"/tmp/segd-state\nrules:\n  file: "
                                      "/etc/other.yaml\nlog:\n  level: debug\n"))),
            "segd.yaml:7:1: unterminated quoted string starting at line 2, column 8");
  EXPECT_EQ(error_of(load(std::string("log: {level: info}\nstate:\n  dir: '/tmp/it''s\n"))),
            "segd.yaml:4:1: unterminated quoted string starting at line 3, column 8");
  // A key, and a value behind a tag and an anchor.
  EXPECT_EQ(error_of(load(std::string("log: {level: info}\n\"state: {}\n"))),
            "segd.yaml:3:1: unterminated quoted string starting at line 2, column 1");
  EXPECT_EQ(error_of(load(std::string("state:\n  dir: !!str &d \"/tmp\\\" x\n"))),
            "segd.yaml:3:1: unterminated quoted string starting at line 2, column 17");
  // Without a newline after it, yaml-cpp reports it itself.
  EXPECT_EQ(error_of(load(std::string("log: {level: 'info"))),
            "segd.yaml:1:19: illegal EOF in scalar");
  // Closed ones, escapes included, still load.
  auto closed =
      load(std::string("state:\n  dir: \"/tmp/a \\\"b\\\\\"\nrules: {file: 'it''s'}\nlog:\n  "
                       "level: !!str \"debug\""));
  ASSERT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_EQ(closed->state.dir, "/tmp/a \"b\\");
  EXPECT_EQ(closed->rules.file, "it's");
  EXPECT_EQ(closed->log.level, "debug");
}

TEST(ConfigTest, RejectsDuplicateKeysInRdkafkaAndInputTopicEntries) {
  // Both were last-wins: the first acks and the first topic name were dropped without a word.
  EXPECT_EQ(error_of(load(std::string("kafka:\n  rdkafka: {acks: all, linger.ms: 5, acks: 1}\n"))),
            "kafka.rdkafka.acks: duplicate key (from segd.yaml)");
  EXPECT_EQ(
      error_of(load(std::string(
          "kafka: {input_topics: [a, {name: b, format: json, name: c, format: protobuf}]}\n"))),
      "kafka.input_topics[1].name: duplicate key (from segd.yaml)\n"
      "kafka.input_topics[1].format: duplicate key (from segd.yaml)");
}

TEST(ConfigTest, RejectsSeveralYamlDocuments) {
  // Only the first document was read; the level below was ignored.
  EXPECT_EQ(error_of(load(std::string("log: {level: info}\n---\nlog: {level: debug}\n"))),
            "segd.yaml: the config file has 2 YAML documents (separated by ---); segd reads one");
  auto marked = load(std::string("---\nlog: {level: debug}\n"));
  ASSERT_TRUE(marked.has_value()) << marked.error().message;
  EXPECT_EQ(marked->log.level, "debug");
}

TEST(ConfigTest, LibrdkafkaChecksTheRdkafkaProperties) {
  // --print-config accepted these; segd then failed at startup with `kafka.bad_config: foo=bar:
  // No such configuration property` or `kafka.create_failed: ...`, naming no key and no source.
  EXPECT_EQ(
      error_of(load(std::nullopt, {}, {{"kafka.rdkafka.foo", "bar"}})),
      "kafka.rdkafka.foo: No such configuration property: \"foo\" (from --kafka.rdkafka.foo)");
  EXPECT_EQ(error_of(load(std::string("kafka:\n  rdkafka: {linger.ms: soon, fetch.wait.max.ms: "
                                      "5}\n"))),
            "kafka.rdkafka.linger.ms: Invalid value for configuration property "
            "\"queue.buffering.max.ms\" (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::nullopt, {},
                          {{"kafka.rdkafka.max.poll.interval.ms", "10000"},
                           {"kafka.session_timeout_ms", "30000"}})),
            "kafka.rdkafka.max.poll.interval.ms: librdkafka refuses the consumer configuration: "
            "`max.poll.interval.ms`must be >= `session.timeout.ms`; session.timeout.ms is "
            "kafka.session_timeout_ms (from --kafka.rdkafka.max.poll.interval.ms; "
            "kafka.session_timeout_ms from --kafka.session_timeout_ms)");
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_KAFKA_RDKAFKA", "acks=1"}})),
            "kafka.rdkafka.acks: librdkafka refuses the producer configuration: `acks` must be set "
            "to `all` when `enable.idempotence` is true (from SEGD_KAFKA_RDKAFKA)");
  // Not again as the heartbeat segd derives from it, which librdkafka refuses too.
  EXPECT_EQ(error_of(load(std::nullopt, {},
                          {{"kafka.rdkafka.linger.ms", "5"}, {"kafka.session_timeout_ms", "0"}})),
            "kafka.session_timeout_ms: must be between 1000 and 300000, got 0 (from "
            "--kafka.session_timeout_ms)");
  auto accepted = load(
      std::nullopt, {{"SEGD_KAFKA_RDKAFKA", "acks=all;linger.ms=20"}},
      {{"kafka.rdkafka.max.poll.interval.ms", "30000"}, {"kafka.session_timeout_ms", "30000"}});
  EXPECT_TRUE(accepted.has_value()) << accepted.error().message;
}

TEST(ConfigTest, LibrdkafkaLoadsTheSslFilesOfAnSslProtocol) {
  // The trial client spoke plaintext, which loads no SSL file: --print-config accepted a missing
  // CA file, and segd failed at startup (exit 1) after creating its state dir.
  for (const std::string protocol : {"ssl", "SASL_SSL"}) {
    const std::string problem =
        error_of(load(std::nullopt, {},
                      {{"kafka.rdkafka.security.protocol", protocol},
                       {"kafka.rdkafka.ssl.ca.location", "/nonexistent/ca.pem"}}));
    EXPECT_EQ(problem.rfind("kafka.rdkafka.ssl.ca.location: librdkafka refuses the consumer "
                            "and producer configurations: ssl.ca.location failed: ",
                            0),
              0u)
        << problem;
    EXPECT_NE(problem.find("; cannot read '/nonexistent/ca.pem': No such file or directory (from "
                           "--kafka.rdkafka.ssl.ca.location)"),
              std::string::npos)
        << problem;
    EXPECT_EQ(problem.find('\n'), std::string::npos) << problem;  // Once, not per client.
  }
  // Without an SSL protocol the files are not read, by the trial client nor by segd's.
  auto plaintext =
      load(std::nullopt, {}, {{"kafka.rdkafka.ssl.ca.location", "/nonexistent/ca.pem"}});
  EXPECT_TRUE(plaintext.has_value()) << plaintext.error().message;
}

TEST(ConfigTest, RdkafkaProblemsNameTheSourceOfTheirProperty) {
  // One source was kept for the whole map, the last to add a property to it: the variable that
  // set linger.ms was blamed for the file's enable.idempotence.
  EXPECT_EQ(error_of(load(std::string("kafka: {rdkafka: {enable.idempotence: \"false\"}}\n"),
                          {{"SEGD_KAFKA_RDKAFKA", "linger.ms=5"}})),
            "kafka.rdkafka.enable.idempotence: must be true (the outbox and dead-letter producers "
            "must not duplicate or reorder records on retries), got 'false' (from segd.yaml)");
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_KAFKA_RDKAFKA", "group.id=x"}},
                          {{"kafka.rdkafka.linger.ms", "5"}})),
            "kafka.rdkafka.group.id: set kafka.group_id instead (from SEGD_KAFKA_RDKAFKA)");
}

TEST(ConfigTest, ConflictsNameTheSourcesOfBothKeys) {
  // The key left at its default was named, without a source, and the one the user set was not.
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_KAFKA_INPUT_TOPICS", "segment-changes"}})),
            "kafka.output_topic: must differ from the input topics, got 'segment-changes' "
            "(kafka.input_topics from SEGD_KAFKA_INPUT_TOPICS)");
  EXPECT_EQ(error_of(load(std::string("kafka: {output_topic: segd-dead-letters}\n"))),
            "kafka.dead_letter_topic: must differ from the input and output topics, got "
            "'segd-dead-letters' (kafka.output_topic from segd.yaml)");
  EXPECT_EQ(error_of(load(std::string("kafka: {erasure_topic: clicks}\n"),
                          {{"SEGD_KAFKA_INPUT_TOPICS", "web,app"}})),
            "kafka.erasure_topic: must be one of kafka.input_topics (segd applies the erasures it "
            "reads there), got 'clicks' (from segd.yaml; kafka.input_topics from "
            "SEGD_KAFKA_INPUT_TOPICS)");
}

TEST(ConfigTest, KmeansKDefaultIsTheTrainers) {
  // segctl replay refitted with TrainOptions{}, 5 clusters, where segd's default is 6.
  EXPECT_EQ(static_cast<size_t>(SegdConfig{}.models.kmeans_k), core::scoring::TrainOptions{}.k);
}

TEST(ConfigTest, RejectsUnknownSegdEnvironmentVariables) {
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_KAFKA_BROKER", "x:1"}})),
            "unknown environment variable SEGD_KAFKA_BROKER, did you mean 'SEGD_KAFKA_BROKERS'?");
  EXPECT_EQ(error_of(load(std::nullopt, {{"SEGD_NOPE", "1"}})),
            "unknown environment variable SEGD_NOPE");
}

TEST(ConfigTest, ReportsAllProblemsAtOnce) {
  std::string message = error_of(load(std::nullopt, {}, {{"log.level", "x"}, {"state.dir", ""}}));
  EXPECT_EQ(message,
            "state.dir: must not be empty (from --state.dir)\n"
            "log.level: expected debug, info, warn or error, got 'x' (from --log.level)");
}

TEST(ConfigTest, RenderedConfigLoadsBackUnchanged) {
  SegdConfig original;
  original.kafka.input_topics = {{"a", PayloadFormat::kProtobuf}, {"b"}};
  original.kafka.rdkafka = {{"statistics.interval.ms", "5000"}, {"client.id", "segd: #1"}};
  original.kafka.output_format = PayloadFormat::kProtobuf;
  original.state.dir = "/tmp/segd state";
  original.admin.token = "s3cret";
  original.admin.listen = "[::1]:9464";
  original.engine.batch_max_wait = std::chrono::milliseconds{7};
  original.models.refit_every = "12h";
  const std::string text = render_config(original);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  // The mask is no token: the printed file loads back once the secret is given again (here by
  // environment, as secrets are kept out of files).
  EXPECT_EQ(error_of(load(text)),
            "admin.token: '***' is how --print-config masks a secret, not a "
            "value: give the real one (from segd.yaml)");
  auto loaded = load(text, {{"SEGD_ADMIN_TOKEN", "s3cret"}});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_EQ(*loaded, original);
}

// Secrets in librdkafka properties are masked as the token is (they were printed in clear, also
// when given by environment to keep them out of files).
TEST(ConfigTest, RenderedConfigMasksSecretKafkaProperties) {
  SegdConfig config;
  config.kafka.rdkafka = {{"sasl.password", "hunter2"},
                          {"ssl.key.password", "k3y"},
                          {"ssl.keystore.password", "st0re"},
                          {"ssl.key.pem", "-----BEGIN PRIVATE KEY-----"},
                          {"sasl.username", "segd"}};
  const std::string text = render_config(config);
  for (const char* secret : {"hunter2", "k3y", "st0re", "PRIVATE KEY"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << "\n" << text;
  }
  // Loaded as printed, each masked secret is named, none taken as "***".
  const std::string problems = error_of(load(text));
  for (const char* key :
       {"sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem"}) {
    EXPECT_NE(problems.find(std::string("kafka.rdkafka.") + key +
                            ": '***' is how --print-config masks a secret"),
              std::string::npos)
        << problems;
  }
  EXPECT_EQ(problems.find("sasl.username"), std::string::npos) << problems;
}

TEST(ConfigTest, RenderedDefaultsLoadBackAndListEveryKey) {
  const std::string text = render_config(SegdConfig{});
  auto loaded = load(text);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_EQ(*loaded, SegdConfig{});
  for (const auto& key : config_keys()) {
    const std::string leaf = key.substr(key.find('.') + 1);
    EXPECT_NE(text.find(leaf + ":"), std::string::npos) << key << "\n" << text;
  }
}

TEST(ConfigTest, DocumentsEveryKeyAndEnvVar) {
  const std::string doc = testing::kConfigDoc;
  const std::vector<std::string> keys = config_keys();
  EXPECT_EQ(keys.size(), 31U);
  for (const auto& key : keys) {
    EXPECT_NE(doc.find("| `" + key + "` | `" + env_var_for(key) + "` |"), std::string::npos) << key;
  }
  EXPECT_EQ(env_var_for("engine.batch_max_events"), "SEGD_ENGINE_BATCH_MAX_EVENTS");
}

TEST(ConfigTest, ParsesDurationsAndAddresses) {
  EXPECT_EQ(parse_duration("12h").value(), std::chrono::hours{12});
  EXPECT_EQ(parse_duration("7d").value(), std::chrono::hours{7 * 24});
  EXPECT_EQ(parse_duration("2w").value(), std::chrono::hours{14 * 24});
  EXPECT_EQ(parse_duration("90s").value(), std::chrono::seconds{90});
  for (const char* bad : {"", "d", "7", "-1d", "+1d", "1.5h", "7y", "0d"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(parse_host_port("127.0.0.1:9464").value(), (HostPort{"127.0.0.1", 9464}));
  EXPECT_EQ(parse_host_port("[::1]:0").value(), (HostPort{"::1", 0}));
  for (const char* bad : {"", ":80", "host:", "host:x", "host:-1", "[::1]", "[]:80", "a:b:80"}) {
    EXPECT_FALSE(parse_host_port(bad).has_value()) << bad;
  }
}

TEST(ConfigTest, OffIsADurationOfZeroWhereAKeyCanBeSwitchedOff) {
  EXPECT_EQ(parse_duration_or_off("off").value(), std::chrono::milliseconds{0});
  EXPECT_EQ(parse_duration_or_off("1h").value(), std::chrono::hours{1});
  EXPECT_FALSE(parse_duration_or_off("0h").has_value());
  EXPECT_FALSE(parse_duration_or_off("OFF").has_value());
}

TEST(CommandLineTest, ParsesBothValueFormsAndSwitches) {
  auto cl = parse({"--config", "/etc/segd.yaml", "--kafka.brokers=h:9092", "--state.dir", "/tmp/x",
                   "--print-config", "--admin.token=", "--exit-at-end", "--kafka.rdkafka=a=1;b=2"});
  ASSERT_TRUE(cl.has_value()) << cl.error().message;
  EXPECT_EQ(cl->config_path, "/etc/segd.yaml");
  EXPECT_TRUE(cl->print_config);
  EXPECT_TRUE(cl->exit_at_end);
  EXPECT_FALSE(cl->help);
  EXPECT_EQ(cl->overrides, (Pairs{{"kafka.brokers", "h:9092"},
                                  {"state.dir", "/tmp/x"},
                                  {"admin.token", ""},
                                  {"kafka.rdkafka", "a=1;b=2"}}));
  auto help = parse({"-h"});
  ASSERT_TRUE(help.has_value());
  EXPECT_TRUE(help->help);
  EXPECT_EQ(parse({"--config=f.yaml"})->config_path, "f.yaml");
}

TEST(CommandLineTest, RejectsMissingValuesAndStrayArguments) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--state.dir"}, "--state.dir: missing value"},
      {{"--state.dir", "--print-config"}, "--state.dir: missing value"},
      {{"--config"}, "--config: missing value"},
      {{"--config="}, "--config: missing value"},
      {{"extra"}, "unexpected argument 'extra' (see --help)"},
      {{"--"}, "unexpected argument '--' (see --help)"},
      {{"--=x"}, "unexpected argument '--=x' (see --help)"},
      {{"--print-config=yes"}, "--print-config takes no value"},
      // Was "unknown key 'exit-at-end'": main() took only the bare flag out of the arguments.
      {{"--exit-at-end=1"}, "--exit-at-end takes no value"},
  };
  for (const auto& [args, expected] : cases) {
    auto cl = parse(args);
    ASSERT_FALSE(cl.has_value()) << expected;
    EXPECT_EQ(cl.error().code, "usage");
    EXPECT_EQ(cl.error().message, expected);
  }
}

TEST(CommandLineTest, ReadsTheSegdVariablesOfTheEnvironment) {
  const char* const envp[] = {"PATH=/bin", "SEGD_LOG_LEVEL=debug", "SEGD_X=a=b", "SEGD_Y", nullptr};
  EXPECT_EQ(segd_environment(envp), (Pairs{{"SEGD_LOG_LEVEL", "debug"}, {"SEGD_X", "a=b"}}));
}

TEST(CommandLineTest, ConfigFlagWinsOverEnvironment) {
  const Pairs env = {{"SEGD_CONFIG", "/env.yaml"}};
  EXPECT_EQ(config_path(CommandLine{}, env), "/env.yaml");
  EXPECT_EQ(config_path(CommandLine{.config_path = "/flag.yaml"}, env), "/flag.yaml");
  EXPECT_EQ(config_path(CommandLine{}, {}), std::nullopt);
}

TEST(CommandLineTest, SynopsesShowExitAtEnd) {
  // CONFIG.md's synopsis and the usage line left it out.
  EXPECT_NE(std::string(testing::kConfigDoc)
                .find("segd [--config FILE] [--print-config] [--exit-at-end] [--help]"),
            std::string::npos);
  EXPECT_TRUE(usage_text().starts_with(
      "usage: segd [--config FILE] [--print-config] [--exit-at-end] [--<section.key> VALUE ...]"))
      << usage_text();
}

TEST(CommandLineTest, UsageMentionsFlagsEnvAndDocs) {
  const std::string text = usage_text();
  for (const char* needle : {"--config FILE", "--print-config", "--help", "SEGD_KAFKA_BROKERS",
                             "SEGD_KAFKA_INPUT_TOPICS", "CONFIG.md"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
  }
}

}  // namespace
}  // namespace segd::service

namespace segd::service {
namespace {

TEST(ConfigTest, RefitsCanBeSwitchedOff) {
  ConfigSources sources;
  sources.overrides = {{"models.refit_every", "off"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->models.refit_every, "off");
}

TEST(ConfigTest, TheEventTimeLimitCanBeSwitchedOff) {
  ConfigSources sources;
  sources.overrides = {{"engine.max_event_time_ahead", "off"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->engine.max_event_time_ahead, "off");
}

TEST(ConfigTest, DurationsParseAllUnits) {
  EXPECT_EQ(parse_duration("90s").value(), std::chrono::milliseconds{90'000});
  EXPECT_EQ(parse_duration("2w").value(), std::chrono::milliseconds{14 * 86'400'000LL});
  EXPECT_FALSE(parse_duration("-1d").has_value());
  EXPECT_FALSE(parse_duration("d").has_value());
}

}  // namespace
}  // namespace segd::service
