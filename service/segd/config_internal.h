#pragma once
// Helpers shared by the config translation units (config.cc, config_yaml.cc, config_cli.cc,
// config_kafka.cc); not part of the segd::service interface.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine/partition_processor.h"
#include "io/kafka/thread_priority.h"
#include "service/segd/config.h"

namespace segd::service::detail {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using SourceMap = std::map<std::string, std::string, std::less<>>;

inline constexpr std::string_view kEnvPrefix = "SEGD_";
inline constexpr std::string_view kConfigEnv = "SEGD_CONFIG";
inline constexpr std::string_view kTopicsKey = "kafka.input_topics";
inline constexpr std::string_view kRdkafkaKey = "kafka.rdkafka";

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
  v.field("kafka.erasure_topic", c.kafka.erasure_topic);
  v.field(kRdkafkaKey, c.kafka.rdkafka);
  // At most librdkafka's default max.poll.interval.ms, which must not be lower.
  v.field("kafka.session_timeout_ms", c.kafka.session_timeout, Bounds{1000, 300000});
  v.field("state.dir", c.state.dir);
  v.field("state.block_cache_mb", c.state.block_cache_mb, Bounds{1, 1048576});
  v.field("state.durability", c.state.durability);
  v.field("rules.file", c.rules.file);
  v.field("engine.batch_max_events", c.engine.batch_max_events, Bounds{1, 1000000});
  v.field("engine.batch_max_timers", c.engine.batch_max_timers, Bounds{1, 1000000});
  v.field("engine.batch_max_wait_ms", c.engine.batch_max_wait, Bounds{1, 60000});
  v.field("engine.cache_customers", c.engine.cache_customers,
          Bounds{1, core::PartitionProcessor::Options::kMaxCacheCapacity});
  v.field("engine.max_event_time_ahead", c.engine.max_event_time_ahead);
  v.field("outbox.max_in_flight", c.outbox.max_in_flight, Bounds{1, 10000000});
  v.field("outbox.max_pending", c.outbox.max_pending, Bounds{1, 1000000000});
  v.field("outbox.shutdown_drain_timeout_ms", c.outbox.shutdown_drain_timeout, Bounds{0, 3600000});
  v.field("outbox.publisher_nice", c.outbox.publisher_nice,
          Bounds{0, io::kafka::kLowestPriorityNice});
  v.field("admin.listen", c.admin.listen);
  v.field("admin.token", c.admin.token);
  v.field("admin.max_connections", c.admin.max_connections, Bounds{1, 100000});
  v.field("admin.max_body_bytes", c.admin.max_body_bytes, Bounds{1, int64_t{1} << 30});
  v.field("admin.request_timeout_ms", c.admin.request_timeout, Bounds{1, 600000});
  v.field("models.refit_every", c.models.refit_every);
  v.field("models.time_unit", c.models.time_unit);
  v.field("models.kmeans_k", c.models.kmeans_k,
          Bounds{core::scoring::kMinClusters, core::scoring::kMaxClusters});
  v.field("log.level", c.log.level);
}

inline int64_t as_int64(size_t v) { return static_cast<int64_t>(v); }
inline int64_t as_int64(int v) { return v; }
inline int64_t as_int64(std::chrono::milliseconds v) { return v.count(); }

inline std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

/// Collects every problem so one run reports them all, one line each.
class Problems {
 public:
  explicit Problems(const SourceMap& sources) : sources_(sources) {}

  /// `key: problem (from source)`; the source defaults to whoever last set the key.
  void add(std::string_view key, std::string_view problem, std::string_view source = {}) {
    add_related(key, problem, {}, source);
  }
  /// add() for a problem between `key` and the `related` keys, naming the source of each of
  /// those the user set: `key: problem (from S; other.key from S2)`.
  void add_related(std::string_view key,
                   std::string_view problem,
                   const std::vector<std::string>& related,
                   std::string_view source = {}) {
    std::string line = std::string(key) + ": " + std::string(problem);
    std::string sources;
    const std::string from = source.empty() ? source_of(key) : std::string(source);
    if (!from.empty()) {
      sources = "from " + from;
    }
    for (const auto& other : related) {
      if (const std::string other_from = source_of(other); !other_from.empty()) {
        sources += (sources.empty() ? "" : "; ") + other + " from " + other_from;
      }
    }
    if (!sources.empty()) {
      line += " (" + sources + ")";
    }
    lines_.push_back(std::move(line));
  }
  void add_line(std::string line) { lines_.push_back(std::move(line)); }
  [[nodiscard]] std::string source_of(std::string_view key) const {
    auto it = sources_.find(key);
    return it == sources_.end() ? std::string{} : it->second;
  }
  [[nodiscard]] bool empty() const { return lines_.empty(); }
  /// Whether a problem of `key` or of a key below it (`key.x`) was found.
  [[nodiscard]] bool has_problem_with(std::string_view key) const {
    return std::any_of(lines_.begin(), lines_.end(), [key](const std::string& line) {
      return line.starts_with(key) &&
             (line.size() == key.size() || line[key.size()] == ':' || line[key.size()] == '.');
    });
  }
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

/// The key table built from a default SegdConfig (defined in config_cli.cc).
const KeyLister& key_table();

/// `, did you mean 'x'?` when a candidate is within two edits, else empty (config_yaml.cc).
std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates);

/// Reports an unknown key with a suggestion from `candidates` (config_yaml.cc).
void report_unknown(Merge& merge,
                    std::string_view key,
                    const std::vector<std::string>& candidates,
                    std::string_view source);

/// Applies one key from its text form; unknown keys are reported with a suggestion (config.cc).
void apply_text(Merge& merge, std::string_view key, std::string_view text, std::string_view source);

/// Merges a YAML config document into `merge`; `source` names it in problems (config_yaml.cc).
void apply_yaml(Merge& merge, const std::string& text, const std::string& source);

/// `kafka.rdkafka.<prop>`: the key of one librdkafka property, for problems and sources.
inline std::string property_key(std::string_view prop) {
  return std::string(kRdkafkaKey) + "." + std::string(prop);
}

/// Sets one librdkafka property of `kafka.rdkafka`, recording its own source.
inline void set_property(Merge& merge,
                         std::string_view prop,
                         std::string_view value,
                         std::string_view source) {
  merge.config.kafka.rdkafka[std::string(prop)] = value;
  merge.sources[property_key(prop)] = source;
}

/// Checks `kafka.rdkafka`: no property with a key of its own, the values segd relies on, and
/// what librdkafka refuses for the consumer and the producers segd builds (config_kafka.cc).
void validate_rdkafka(const KafkaSettings& kafka, Problems& problems);

/// What --print-config shows for a secret (the admin token, secret_property()s).
inline constexpr std::string_view kSecretMask = "***";
/// The problem with a secret given as kSecretMask: a printed config loaded as it is.
inline constexpr std::string_view kMaskedSecretProblem =
    "'***' is how --print-config masks a secret, not a value: give the real one";

/// librdkafka properties that hold secrets: passwords, client secrets, private keys inline.
[[nodiscard]] bool secret_property(std::string_view name);

}  // namespace segd::service::detail
