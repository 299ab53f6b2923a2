#include "service/segd/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <set>

#include "core/common/time.h"

namespace segd::service {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using SourceMap = std::map<std::string, std::string, std::less<>>;

constexpr std::string_view kEnvPrefix = "SEGD_";
constexpr std::string_view kConfigEnv = "SEGD_CONFIG";
constexpr std::string_view kTopicsKey = "kafka.input_topics";
constexpr std::string_view kRdkafkaKey = "kafka.rdkafka";
constexpr size_t kMaxTopicName = 249;

/// Inclusive range of an integer key.
struct Bounds {
  int64_t min;
  int64_t max;
};

/// Every key in file order. The one list that loading, validation, rendering and key listing
/// share, so a new key cannot be half-wired.
template <typename Config, typename Visitor>
void visit_fields(Config& c, Visitor& v) {
  v.field("kafka.brokers", c.kafka.brokers);
  v.field("kafka.group_id", c.kafka.group_id);
  v.field(kTopicsKey, c.kafka.input_topics);
  v.field("kafka.output_topic", c.kafka.output_topic);
  v.field("kafka.output_format", c.kafka.output_format);
  v.field("kafka.dead_letter_topic", c.kafka.dead_letter_topic);
  v.field(kRdkafkaKey, c.kafka.rdkafka);
  v.field("kafka.session_timeout_ms", c.kafka.session_timeout, Bounds{1000, 3600000});
  v.field("state.dir", c.state.dir);
  v.field("state.block_cache_mb", c.state.block_cache_mb, Bounds{1, 1048576});
  v.field("rules.file", c.rules.file);
  v.field("engine.batch_max_events", c.engine.batch_max_events, Bounds{1, 1000000});
  v.field("engine.batch_max_wait_ms", c.engine.batch_max_wait, Bounds{1, 60000});
  v.field("engine.cache_customers", c.engine.cache_customers, Bounds{1, 100000000});
  v.field("outbox.max_in_flight", c.outbox.max_in_flight, Bounds{1, 10000000});
  v.field("outbox.shutdown_drain_timeout_ms", c.outbox.shutdown_drain_timeout, Bounds{0, 3600000});
  v.field("admin.listen", c.admin.listen);
  v.field("admin.token", c.admin.token);
  v.field("admin.max_connections", c.admin.max_connections, Bounds{1, 100000});
  v.field("admin.max_body_bytes", c.admin.max_body_bytes, Bounds{1, int64_t{1} << 30});
  v.field("admin.request_timeout_ms", c.admin.request_timeout, Bounds{1, 600000});
  v.field("models.refit_every", c.models.refit_every);
  v.field("models.time_unit", c.models.time_unit);
  v.field("models.kmeans_k", c.models.kmeans_k, Bounds{2, 100});
  v.field("log.level", c.log.level);
}

int64_t as_int64(size_t v) { return static_cast<int64_t>(v); }
int64_t as_int64(int v) { return v; }
int64_t as_int64(std::chrono::milliseconds v) { return v.count(); }
void store(size_t& f, int64_t v) { f = static_cast<size_t>(v); }
void store(int& f, int64_t v) { f = static_cast<int>(v); }
void store(std::chrono::milliseconds& f, int64_t v) { f = std::chrono::milliseconds{v}; }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

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

/// Collects every problem so one run reports them all, one line each.
class Problems {
 public:
  explicit Problems(const SourceMap& sources) : sources_(sources) {}

  /// `key: problem (from source)`; the source defaults to whoever last set the key.
  void add(std::string_view key, std::string_view problem, std::string_view source = {}) {
    std::string line = std::string(key) + ": " + std::string(problem);
    const std::string from = source.empty() ? source_of(key) : std::string(source);
    if (!from.empty()) {
      line += " (from " + from + ")";
    }
    lines_.push_back(std::move(line));
  }
  void add_line(std::string line) { lines_.push_back(std::move(line)); }
  [[nodiscard]] std::string source_of(std::string_view key) const {
    auto it = sources_.find(key);
    return it == sources_.end() ? std::string{} : it->second;
  }
  [[nodiscard]] bool empty() const { return lines_.empty(); }
  [[nodiscard]] std::string joined() const {
    std::string out;
    for (const auto& line : lines_) {
      out += out.empty() ? line : "\n" + line;
    }
    return out;
  }

 private:
  const SourceMap& sources_;
  std::vector<std::string> lines_;
};

/// Merge state: the config so far, who set each key, and the problems found.
struct Merge {
  SegdConfig config;
  SourceMap sources;
  Problems problems{sources};
};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// `, did you mean 'x'?` when a candidate is within two edits, else empty.
std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    size_t d = edit_distance(wrong, candidate);
    if (d < best_distance) {
      best = &candidate;
      best_distance = d;
    }
  }
  return best == nullptr ? std::string{} : ", did you mean " + quoted(*best) + "?";
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
  void field(std::string_view name, std::map<std::string, std::string>& f) {
    if (take(name)) {
      auto props = parse_property_list(text_);
      if (!props) {
        merge_.problems.add(key_, props.error().message, source_);
        return;
      }
      // Merged per property: the env/flag form adds to the YAML map rather than replacing it.
      for (auto& [prop, value] : *props) {
        f[prop] = value;
      }
      record();
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

/// Lists every key, and what kind of value it takes (for YAML type errors).
class KeyLister {
 public:
  template <typename T>
  void field(std::string_view name, const T& /*f*/) {
    keys.emplace_back(name);
    kinds.emplace_back("a single value");
  }
  template <typename Int>
  void field(std::string_view name, const Int& /*f*/, Bounds /*bounds*/) {
    keys.emplace_back(name);
    kinds.emplace_back("an integer");
  }
  std::vector<std::string> keys;
  std::vector<std::string> kinds;
};

/// Emits the config in file layout, opening a YAML map per section.
class Renderer {
 public:
  explicit Renderer(YAML::Emitter& out) : out_(out) {}
  void field(std::string_view name, const std::string& f) { key(name) << f; }
  void field(std::string_view name, PayloadFormat f) { key(name) << std::string(format_name(f)); }
  void field(std::string_view name, const std::vector<InputTopic>& topics) {
    key(name) << YAML::BeginSeq;
    for (const auto& topic : topics) {
      out_ << YAML::BeginMap << YAML::Key << "name" << YAML::Value << topic.name;
      out_ << YAML::Key << "format" << YAML::Value << std::string(format_name(topic.format));
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }
  void field(std::string_view name, const std::map<std::string, std::string>& props) {
    key(name) << YAML::BeginMap;
    for (const auto& [prop, value] : props) {
      out_ << YAML::Key << prop << YAML::Value << value;
    }
    out_ << YAML::EndMap;
  }
  template <typename Int>
  void field(std::string_view name, const Int& f, Bounds /*bounds*/) {
    key(name) << as_int64(f);
  }
  void finish() {
    if (!section_.empty()) {
      out_ << YAML::EndMap;
    }
  }

 private:
  YAML::Emitter& key(std::string_view name) {
    auto dot = name.find('.');
    std::string section(name.substr(0, dot));
    if (section != section_) {
      finish();
      out_ << YAML::Key << section << YAML::Value << YAML::BeginMap;
      section_ = section;
    }
    return out_ << YAML::Key << std::string(name.substr(dot + 1)) << YAML::Value;
  }

  YAML::Emitter& out_;
  std::string section_;
};

const KeyLister& key_table() {
  static const KeyLister table = [] {
    KeyLister lister;
    const SegdConfig defaults;
    visit_fields(defaults, lister);
    return lister;
  }();
  return table;
}

std::optional<std::string> kind_of(std::string_view key) {
  const auto& table = key_table();
  auto it = std::find(table.keys.begin(), table.keys.end(), key);
  if (it == table.keys.end()) {
    return std::nullopt;
  }
  return table.kinds[static_cast<size_t>(it - table.keys.begin())];
}

void report_unknown(Merge& merge,
                    std::string_view key,
                    const std::vector<std::string>& candidates,
                    std::string_view source) {
  merge.problems.add_line("unknown key " + quoted(key) + suggestion(key, candidates) + " (from " +
                          std::string(source) + ")");
}

/// Applies one key from its text form; unknown keys are reported with a suggestion.
void apply_text(Merge& merge,
                std::string_view key,
                std::string_view text,
                std::string_view source) {
  if (key.starts_with(std::string(kRdkafkaKey) + ".") && key.size() > kRdkafkaKey.size() + 1) {
    merge.config.kafka.rdkafka[std::string(key.substr(kRdkafkaKey.size() + 1))] = text;
    merge.sources[std::string(kRdkafkaKey)] = std::string(source);
    return;
  }
  Applier applier(key, text, source, merge);
  visit_fields(merge.config, applier);
  if (!applier.matched()) {
    report_unknown(merge, key, key_table().keys, source);
  }
}

/// `input_topics: [{name: clicks, format: json}, purchases]`.
void apply_yaml_topics(Merge& merge, const YAML::Node& node, std::string_view source) {
  if (!node.IsSequence()) {
    merge.problems.add(kTopicsKey, "expected a list of {name, format}", source);
    return;
  }
  std::vector<InputTopic> topics;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string where = std::string(kTopicsKey) + "[" + std::to_string(i) + "]";
    InputTopic topic;
    if (item.IsScalar()) {
      topic.name = item.Scalar();
    } else if (!item.IsMap()) {
      merge.problems.add(where, "expected a mapping with name and format", source);
    }
    for (auto it = item.begin(); item.IsMap() && it != item.end(); ++it) {
      const std::string field = it->first.Scalar();
      if (field != "name" && field != "format") {
        report_unknown(merge, where + "." + field, {where + ".name", where + ".format"}, source);
      } else if (!it->second.IsScalar()) {
        merge.problems.add(where + "." + field, "expected a single value", source);
      } else if (field == "name") {
        topic.name = it->second.Scalar();
      } else if (auto format = parse_payload_format(it->second.Scalar())) {
        topic.format = *format;
      } else {
        merge.problems.add(where + ".format", format.error().message, source);
      }
    }
    topics.push_back(std::move(topic));
  }
  merge.config.kafka.input_topics = std::move(topics);
  merge.sources[std::string(kTopicsKey)] = std::string(source);
}

/// `rdkafka: {prop: value}`; merged per property over what is already set.
void apply_yaml_properties(Merge& merge, const YAML::Node& node, std::string_view source) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    merge.problems.add(kRdkafkaKey, "expected a mapping of librdkafka properties", source);
    return;
  }
  for (const auto& kv : node) {
    const std::string prop = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      merge.problems.add(std::string(kRdkafkaKey) + "." + prop, "expected a single value", source);
      continue;
    }
    merge.config.kafka.rdkafka[prop] = kv.second.Scalar();
  }
  merge.sources[std::string(kRdkafkaKey)] = std::string(source);
}

void apply_yaml_section(Merge& merge,
                        const std::string& section,
                        const YAML::Node& node,
                        std::string_view source) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    merge.problems.add(section, "expected a mapping", source);
    return;
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = section + "." + kv.first.Scalar();
    const YAML::Node& value = kv.second;
    if (!seen.insert(key).second) {
      merge.problems.add(key, "duplicate key", source);
    } else if (key == kTopicsKey) {
      apply_yaml_topics(merge, value, source);
    } else if (key == kRdkafkaKey) {
      apply_yaml_properties(merge, value, source);
    } else if (auto kind = kind_of(key); !kind) {
      report_unknown(merge, key, key_table().keys, source);
    } else if (value.IsNull() || value.IsScalar()) {
      apply_text(merge, key, value.IsNull() ? std::string() : value.Scalar(), source);
    } else {
      merge.problems.add(key, "expected " + *kind, source);
    }
  }
}

void apply_yaml(Merge& merge, const std::string& text, const std::string& source) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) {
      return;
    }
    if (!root.IsMap()) {
      merge.problems.add_line(source + ": expected a mapping of sections at the top level");
      return;
    }
    std::vector<std::string> sections;
    for (const auto& key : key_table().keys) {
      sections.push_back(key.substr(0, key.find('.')));
    }
    std::set<std::string> seen;
    for (const auto& kv : root) {
      const std::string section = kv.first.Scalar();
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
        report_unknown(merge, section, sections, source);
      } else if (!seen.insert(section).second) {
        merge.problems.add(section, "duplicate key", source);
      } else {
        apply_yaml_section(merge, section, kv.second, source);
      }
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors by exception; marks are 0-based.
    merge.problems.add_line(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                            std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

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

/// librdkafka properties that have their own segd key; setting both would be ambiguous.
std::optional<std::string_view> dedicated_key(std::string_view prop) {
  if (prop == "bootstrap.servers" || prop == "metadata.broker.list") {
    return "kafka.brokers";
  }
  if (prop == "group.id") {
    return "kafka.group_id";
  }
  if (prop == "session.timeout.ms") {
    return "kafka.session_timeout_ms";
  }
  return std::nullopt;
}

void validate_kafka(const KafkaSettings& k, Problems& problems) {
  const auto entries = split(k.brokers, ',');
  if (trim(k.brokers).empty()) {
    problems.add("kafka.brokers", "must not be empty");
  } else if (std::any_of(entries.begin(), entries.end(),
                         [](std::string_view b) { return trim(b).empty(); })) {
    problems.add("kafka.brokers", "expected HOST:PORT[,HOST:PORT...], got " + quoted(k.brokers));
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
  if (inputs.contains(k.output_topic)) {
    problems.add("kafka.output_topic",
                 "must differ from the input topics, got " + quoted(k.output_topic));
  }
  if (inputs.contains(k.dead_letter_topic) || k.dead_letter_topic == k.output_topic) {
    problems.add("kafka.dead_letter_topic", "must differ from the input and output topics, got " +
                                                quoted(k.dead_letter_topic));
  }
  for (const auto& [prop, value] : k.rdkafka) {
    if (auto owner = dedicated_key(prop)) {
      problems.add(std::string(kRdkafkaKey) + "." + prop, "set " + std::string(*owner) + " instead",
                   problems.source_of(kRdkafkaKey));
    }
  }
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
  if (c.models.refit_every != "off" && !parse_duration(c.models.refit_every)) {
    problems.add("models.refit_every",
                 "expected off or a duration like 12h or 7d, got " + quoted(c.models.refit_every));
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

core::Result<SegdConfig> load_config(const ConfigSources& sources) {
  Merge merge;
  if (sources.yaml_text) {
    apply_yaml(merge, *sources.yaml_text, sources.origin.empty() ? "config file" : sources.origin);
  }
  apply_env(merge, sources.env);
  for (const auto& [key, value] : sources.overrides) {
    apply_text(merge, key, value, "--" + key);
  }
  BoundsChecker checker(merge.problems);
  visit_fields(std::as_const(merge.config), checker);
  validate_kafka(merge.config.kafka, merge.problems);
  validate_rest(merge.config, merge.problems);
  if (!merge.problems.empty()) {
    return core::fail("config", merge.problems.joined());
  }
  return merge.config;
}

core::Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine result;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      continue;
    }
    if (arg == "--print-config") {
      result.print_config = true;
      continue;
    }
    if (!arg.starts_with("--") || arg.size() == 2 || arg[2] == '=') {
      return core::fail("usage", "unexpected argument " + quoted(arg) + " (see --help)");
    }
    const auto eq = arg.find('=');
    const std::string name(arg.substr(2, eq == std::string_view::npos ? arg.npos : eq - 2));
    if (name == "help" || name == "print-config") {
      return core::fail("usage", "--" + name + " takes no value");
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
      value = argv[++i];
    } else {
      return core::fail("usage", "--" + name + ": missing value");
    }
    if (name == "config") {
      if (value.empty()) {
        return core::fail("usage", "--config: missing value");
      }
      result.config_path = value;
    } else {
      result.overrides.emplace_back(name, value);
    }
  }
  return result;
}

std::optional<std::string> config_path(const CommandLine& command_line, const Pairs& env) {
  if (command_line.config_path) {
    return command_line.config_path;
  }
  std::optional<std::string> path;
  for (const auto& [name, value] : env) {
    if (name == kConfigEnv && !value.empty()) {
      path = value;
    }
  }
  return path;
}

std::string render_config(const SegdConfig& config) {
  SegdConfig shown = config;
  if (!shown.admin.token.empty()) {
    shown.admin.token = "***";
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  Renderer renderer(out);
  visit_fields(std::as_const(shown), renderer);
  renderer.finish();
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string usage_text() {
  return R"(usage: segd [--config FILE] [--print-config] [--<section.key> VALUE ...]

Runs the segd customer segmentation daemon.

  --config FILE            YAML config file (default: none, or $SEGD_CONFIG)
  --print-config           print the effective config as YAML (admin.token masked) and exit
  --help, -h               print this text and exit
  --<section.key> VALUE    override one config key, also as --<section.key>=VALUE,
                           e.g. --kafka.brokers=host:9092 --state.dir /tmp/segd
  --kafka.rdkafka.<prop> VALUE   set one librdkafka property

Precedence: built-in defaults < config file < environment < command line.
Environment: SEGD_ + the key in upper case with '.' -> '_', e.g. SEGD_KAFKA_BROKERS,
SEGD_ENGINE_BATCH_MAX_EVENTS. Lists and maps use one-line forms (also on the command line):
  SEGD_KAFKA_INPUT_TOPICS="clicks:json,purchases:protobuf"
  SEGD_KAFKA_RDKAFKA="statistics.interval.ms=5000;socket.keepalive.enable=true"
Unknown SEGD_* variables and unknown keys are errors.
Every key, its variable, default and meaning: service/segd/CONFIG.md.
)";
}

std::vector<std::string> config_keys() { return key_table().keys; }

std::string env_var_for(std::string_view key) {
  std::string name(kEnvPrefix);
  for (char ch : key) {
    name += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return name;
}

std::string_view format_name(PayloadFormat format) {
  switch (format) {
    case PayloadFormat::kJson:
      return "json";
    case PayloadFormat::kProtobuf:
      return "protobuf";
  }
  return "json";
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

core::Result<HostPort> parse_host_port(std::string_view text) {
  const auto bad = [text] {
    return core::fail("config", "expected HOST:PORT, got " + quoted(text));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad();
  }
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return bad();
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // A bare IPv6 address is ambiguous; require [addr]:port.
  }
  const std::string_view port_text = text.substr(colon + 1);
  auto [status, port] = parse_int(port_text);
  if (status != IntParse::kOk || port > 65535 || !std::isdigit(port_text.front())) {
    return bad();
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace segd::service
