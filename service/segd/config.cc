#include "service/segd/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <optional>
#include <set>
#include <string_view>

#include "core/common/time.h"
#include "service/segd/config_internal.h"

namespace segd::service {

using detail::apply_text;
using detail::apply_yaml;
using detail::as_int64;
using detail::Bounds;
using detail::kConfigEnv;
using detail::kEnvPrefix;
using detail::key_table;
using detail::kRdkafkaKey;
using detail::kTopicsKey;
using detail::Merge;
using detail::Pairs;
using detail::Problems;
using detail::quoted;
using detail::report_unknown;
using detail::set_property;
using detail::suggestion;
using detail::validate_rdkafka;
using detail::visit_fields;

namespace {

constexpr size_t kMaxTopicName = 249;

void store(size_t& f, int64_t v) { f = static_cast<size_t>(v); }
void store(int& f, int64_t v) { f = static_cast<int>(v); }
void store(std::chrono::milliseconds& f, int64_t v) { f = std::chrono::milliseconds{v}; }

std::string bounds_problem(Bounds b, std::string_view got) {
  return "must be between " + std::to_string(b.min) + " and " + std::to_string(b.max) + ", got " +
         std::string(got);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t pos = s.find(sep); pos != std::string_view::npos; pos = s.find(sep, start)) {
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::vector<std::string> env_names() {
  std::vector<std::string> names;
  for (const auto& key : config_keys()) {
    names.push_back(env_var_for(key));
  }
  return names;
}

/// Parses a non-negative integer that fits every integer field type.
enum class IntParse : uint8_t { kOk, kNotInteger, kOutOfRange };
std::pair<IntParse, int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    return {IntParse::kOutOfRange, 0};
  }
  if (ec != std::errc{} || ptr != end || text.empty()) {
    return {IntParse::kNotInteger, 0};
  }
  if (value < 0 || value > INT_MAX) {
    return {IntParse::kOutOfRange, value};
  }
  return {IntParse::kOk, value};
}

/// `clicks:json,purchases:protobuf`; the format defaults to json.
core::Result<std::vector<InputTopic>> parse_topic_list(std::string_view text) {
  std::vector<InputTopic> topics;
  if (trim(text).empty()) {
    return topics;
  }
  for (std::string_view item : split(text, ',')) {
    auto colon = item.find(':');
    InputTopic topic{std::string(trim(item.substr(0, colon)))};
    if (colon != std::string_view::npos) {
      auto format = parse_payload_format(trim(item.substr(colon + 1)));
      if (!format) {
        return std::unexpected(format.error());
      }
      topic.format = *format;
    }
    if (topic.name.empty()) {
      return core::fail("config", "expected NAME[:FORMAT],..., got " + quoted(text));
    }
    topics.push_back(std::move(topic));
  }
  return topics;
}

/// `prop1=v1;prop2=v2`; `;` because librdkafka values often hold commas.
core::Result<std::map<std::string, std::string>> parse_property_list(std::string_view text) {
  std::map<std::string, std::string> props;
  for (std::string_view item : split(text, ';')) {
    if (trim(item).empty()) {
      continue;
    }
    auto eq = item.find('=');
    if (eq == std::string_view::npos || trim(item.substr(0, eq)).empty()) {
      return core::fail("config", "expected PROP=VALUE;..., got " + quoted(item));
    }
    props[std::string(trim(item.substr(0, eq)))] = std::string(trim(item.substr(eq + 1)));
  }
  return props;
}

/// Sets the key named `key` from its text form (env and flag syntax).
class Applier {
 public:
  Applier(std::string_view key, std::string_view text, std::string_view source, Merge& merge)
      : key_(key), text_(text), source_(source), merge_(merge) {}

  [[nodiscard]] bool matched() const { return matched_; }

  void field(std::string_view name, std::string& f) {
    if (take(name)) {
      f = std::string(text_);
      record();
    }
  }
  void field(std::string_view name, PayloadFormat& f) {
    if (take(name)) {
      set(parse_payload_format(text_), f);
    }
  }
  void field(std::string_view name, std::vector<InputTopic>& f) {
    if (take(name)) {
      set(parse_topic_list(text_), f);
    }
  }
  void field(std::string_view name, std::map<std::string, std::string>& /*f*/) {
    if (take(name)) {
      auto props = parse_property_list(text_);
      if (!props) {
        merge_.problems.add(key_, props.error().message, source_);
        return;
      }
      // Merged per property: the env/flag form adds to the YAML map rather than replacing it.
      for (auto& [prop, value] : *props) {
        set_property(merge_, prop, value, source_);
      }
    }
  }
  template <typename Int>
  void field(std::string_view name, Int& f, Bounds bounds) {
    if (!take(name)) {
      return;
    }
    auto [status, value] = parse_int(trim(text_));
    if (status == IntParse::kNotInteger) {
      merge_.problems.add(key_, "expected an integer, got " + quoted(text_), source_);
    } else if (status == IntParse::kOutOfRange) {
      merge_.problems.add(key_, bounds_problem(bounds, trim(text_)), source_);
    } else {
      store(f, value);
      record();
    }
  }

 private:
  bool take(std::string_view name) {
    matched_ = matched_ || name == key_;
    return name == key_;
  }
  void record() { merge_.sources[std::string(key_)] = std::string(source_); }
  template <typename T>
  void set(core::Result<T> parsed, T& f) {
    if (!parsed) {
      merge_.problems.add(key_, parsed.error().message, source_);
      return;
    }
    f = std::move(*parsed);
    record();
  }

  std::string_view key_;
  std::string_view text_;
  std::string_view source_;
  Merge& merge_;
  bool matched_ = false;
};

/// Checks the integer ranges after merging.
class BoundsChecker {
 public:
  explicit BoundsChecker(Problems& problems) : problems_(problems) {}
  template <typename T>
  void field(std::string_view /*name*/, const T& /*f*/) {}
  template <typename Int>
  void field(std::string_view name, const Int& f, Bounds bounds) {
    int64_t value = as_int64(f);
    if (value < bounds.min || value > bounds.max) {
      problems_.add(name, bounds_problem(bounds, std::to_string(value)));
    }
  }

 private:
  Problems& problems_;
};

void apply_env(Merge& merge, const Pairs& env) {
  const std::vector<std::string> names = env_names();
  for (const auto& [name, value] : env) {
    if (!name.starts_with(kEnvPrefix) || name == kConfigEnv) {
      continue;
    }
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      // A typo in a variable name must not silently fall back to the default.
      merge.problems.add_line("unknown environment variable " + name + suggestion(name, names));
      continue;
    }
    apply_text(merge, key_table().keys[static_cast<size_t>(it - names.begin())], value, name);
  }
}

bool valid_topic_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTopicName || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '.' || ch == '_' || ch == '-';
  });
}

void check_topic(Problems& problems, std::string_view key, std::string_view name) {
  if (!valid_topic_name(name)) {
    problems.add(key,
                 "expected a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -), got " + quoted(name));
  }
}

// The port of one bootstrap entry, `[PROTOCOL://]HOST[:PORT]` as librdkafka takes it (an IPv6
// host in brackets); "" when it names none (librdkafka then uses 9092).
std::string_view broker_port(std::string_view entry) {
  if (const size_t scheme = entry.find("://"); scheme != std::string_view::npos) {
    entry.remove_prefix(scheme + 3);
  }
  if (entry.starts_with('[')) {
    const size_t close = entry.find(']');
    entry.remove_prefix(close == std::string_view::npos ? entry.size() : close + 1);
    return entry.starts_with(':') ? entry.substr(1) : std::string_view();
  }
  const size_t colon = entry.find(':');
  // A bare IPv6 address has several colons and no port.
  return colon == entry.rfind(':') && colon != std::string_view::npos ? entry.substr(colon + 1)
                                                                      : std::string_view();
}

bool valid_broker(std::string_view entry) {
  entry = trim(entry);
  if (entry.empty()) {
    return false;
  }
  const std::string_view port = broker_port(entry);
  if (port.empty()) {
    return !entry.ends_with(':');
  }
  const auto [status, value] = parse_int(port);
  return status == IntParse::kOk && value >= 1 && value <= 65535;
}

// The protocol before "://" in a broker address, when it is one librdkafka does not know
// (it then logs a parse error and runs without that broker); nullopt when it is fine.
std::optional<std::string_view> unknown_protocol(std::string_view entry) {
  entry = trim(entry);
  const size_t scheme = entry.find("://");
  if (scheme == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view protocol = entry.substr(0, scheme);
  for (const std::string_view known : {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}) {
    if (std::ranges::equal(protocol, known,
                           [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return std::nullopt;
    }
  }
  return protocol;
}

void validate_kafka(const KafkaSettings& k, Problems& problems) {
  const auto entries = split(k.brokers, ',');
  const auto unknown = std::find_if(entries.begin(), entries.end(), [](const auto& entry) {
    return unknown_protocol(entry).has_value();
  });
  if (trim(k.brokers).empty()) {
    problems.add("kafka.brokers", "must not be empty");
  } else if (unknown != entries.end()) {
    problems.add("kafka.brokers", "unknown protocol " + quoted(*unknown_protocol(*unknown)) +
                                      " in " + quoted(trim(*unknown)) +
                                      ": expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
  } else if (!std::all_of(entries.begin(), entries.end(), valid_broker)) {
    problems.add("kafka.brokers",
                 "expected HOST:PORT[,HOST:PORT...] with ports 1-65535, got " + quoted(k.brokers));
  }
  if (k.group_id.empty()) {
    problems.add("kafka.group_id", "must not be empty");
  }
  if (k.input_topics.empty()) {
    problems.add(kTopicsKey, "must not be empty");
  }
  std::set<std::string_view> inputs;
  for (const auto& topic : k.input_topics) {
    check_topic(problems, kTopicsKey, topic.name);
    if (!inputs.insert(topic.name).second) {
      problems.add(kTopicsKey, "duplicate topic " + quoted(topic.name));
    }
  }
  check_topic(problems, "kafka.output_topic", k.output_topic);
  check_topic(problems, "kafka.dead_letter_topic", k.dead_letter_topic);
  // Named with the keys they conflict with: the user may have set either.
  if (inputs.contains(k.output_topic)) {
    problems.add_related("kafka.output_topic",
                         "must differ from the input topics, got " + quoted(k.output_topic),
                         {std::string(kTopicsKey)});
  }
  if (inputs.contains(k.dead_letter_topic) || k.dead_letter_topic == k.output_topic) {
    problems.add_related(
        "kafka.dead_letter_topic",
        "must differ from the input and output topics, got " + quoted(k.dead_letter_topic),
        {std::string(kTopicsKey), "kafka.output_topic"});
  }
  if (!k.erasure_topic.empty() && !inputs.contains(k.erasure_topic)) {
    problems.add_related("kafka.erasure_topic",
                         "must be one of kafka.input_topics (segd applies the erasures it reads "
                         "there), got " +
                             quoted(k.erasure_topic),
                         {std::string(kTopicsKey)});
  }
  validate_rdkafka(k, problems);
}

void validate_rest(const SegdConfig& c, Problems& problems) {
  if (c.state.dir.empty()) {
    problems.add("state.dir", "must not be empty");
  }
  if (c.rules.file.empty()) {
    problems.add("rules.file", "must not be empty");
  }
  if (auto listen = parse_host_port(c.admin.listen); !listen) {
    problems.add("admin.listen", listen.error().message);
  }
  if (std::any_of(c.admin.token.begin(), c.admin.token.end(), [](char ch) {
        return std::isspace(static_cast<unsigned char>(ch)) != 0 ||
               std::iscntrl(static_cast<unsigned char>(ch)) != 0;
      })) {
    problems.add("admin.token", "must not contain whitespace or control characters");
  }
  if (c.admin.token == detail::kSecretMask) {
    problems.add("admin.token", std::string(detail::kMaskedSecretProblem));
  }
  if (auto every = core::parse_refit_every_ms(c.models.refit_every); !every) {
    problems.add("models.refit_every", every.error().message);
  }
  if (!parse_duration_or_off(c.engine.max_event_time_ahead)) {
    problems.add("engine.max_event_time_ahead", "expected off or a duration like 15m or 1h, got " +
                                                    quoted(c.engine.max_event_time_ahead));
  }
  const std::string& durability = c.state.durability;
  if (durability != "process_crash" && durability != "power_loss") {
    problems.add("state.durability",
                 "expected process_crash or power_loss, got " + quoted(durability));
  }
  const std::string& unit = c.models.time_unit;
  if (unit != "day" && unit != "week") {
    problems.add("models.time_unit", "expected day or week, got " + quoted(unit));
  }
  const std::string& level = c.log.level;
  if (level != "debug" && level != "info" && level != "warn" && level != "error") {
    problems.add("log.level", "expected debug, info, warn or error, got " + quoted(level));
  }
}

}  // namespace

namespace detail {

/// Applies one key from its text form; unknown keys are reported with a suggestion.
void apply_text(Merge& merge,
                std::string_view key,
                std::string_view text,
                std::string_view source) {
  if (key.starts_with(std::string(kRdkafkaKey) + ".") && key.size() > kRdkafkaKey.size() + 1) {
    set_property(merge, key.substr(kRdkafkaKey.size() + 1), text, source);
    return;
  }
  Applier applier(key, text, source, merge);
  visit_fields(merge.config, applier);
  if (!applier.matched()) {
    report_unknown(merge, key, key_table().keys, source);
  }
}

}  // namespace detail

namespace {

/// Merges every source in precedence order, recording who set each key.
void merge_sources(Merge& merge, const ConfigSources& sources) {
  if (sources.yaml_text) {
    apply_yaml(merge, *sources.yaml_text, sources.origin.empty() ? "config file" : sources.origin);
  }
  apply_env(merge, sources.env);
  for (const auto& [key, value] : sources.overrides) {
    apply_text(merge, key, value, "--" + key);
  }
}

}  // namespace

core::Result<SegdConfig> load_config(const ConfigSources& sources) {
  Merge merge;
  merge_sources(merge, sources);
  BoundsChecker checker(merge.problems);
  visit_fields(std::as_const(merge.config), checker);
  validate_kafka(merge.config.kafka, merge.problems);
  validate_rest(merge.config, merge.problems);
  if (!merge.problems.empty()) {
    return core::fail("config", merge.problems.joined());
  }
  return merge.config;
}

std::string key_problem(const ConfigSources& sources,
                        std::string_view key,
                        std::string_view problem) {
  Merge merge;
  merge_sources(merge, sources);
  Problems problems(merge.sources);
  problems.add(key, problem);
  return problems.joined();
}

core::Result<PayloadFormat> parse_payload_format(std::string_view text) {
  if (text == "json") {
    return PayloadFormat::kJson;
  }
  if (text == "protobuf") {
    return PayloadFormat::kProtobuf;
  }
  return core::fail("config", "expected json or protobuf, got " + quoted(text));
}

core::Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto ms = core::parse_duration_ms(text);
  if (!ms) {
    return core::fail("config", "expected a duration like 12h or 7d, got " + quoted(text));
  }
  return std::chrono::milliseconds{*ms};
}

core::Result<std::chrono::milliseconds> parse_duration_or_off(std::string_view text) {
  auto ms = core::parse_duration_or_off_ms(text);
  if (!ms) {
    return core::fail("config", ms.error().message);
  }
  return std::chrono::milliseconds{*ms};
}

namespace {

bool is_ip_literal(std::string_view host, int family) {
  std::array<unsigned char, sizeof(in6_addr)> address{};
  return ::inet_pton(family, std::string(host).c_str(), address.data()) == 1;
}

}  // namespace

core::Result<HostPort> parse_host_port(std::string_view text) {
  const auto bad = [text] {
    return core::fail("config", "expected IP:PORT or [IPv6]:PORT, got " + quoted(text));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad();
  }
  std::string_view host = text.substr(0, colon);
  const bool bracketed = host.front() == '[';
  if (bracketed) {
    if (host.size() < 3 || host.back() != ']') {
      return bad();
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // A bare IPv6 address is ambiguous; require [addr]:port.
  }
  // The admin server binds an address, not a name: a host name passed here failed at startup.
  if (!is_ip_literal(host, bracketed ? AF_INET6 : AF_INET)) {
    return bad();
  }
  const std::string_view port_text = text.substr(colon + 1);
  auto [status, port] = parse_int(port_text);
  if (status != IntParse::kOk || port > 65535 || !std::isdigit(port_text.front())) {
    return bad();
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace segd::service
