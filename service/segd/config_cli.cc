#include <yaml-cpp/yaml.h>

#include <cctype>

#include "service/segd/config.h"
#include "service/segd/config_internal.h"

namespace segd::service {

using detail::as_int64;
using detail::Bounds;
using detail::kConfigEnv;
using detail::kEnvPrefix;
using detail::key_table;
using detail::KeyLister;
using detail::Pairs;
using detail::quoted;
using detail::visit_fields;

namespace {

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

}  // namespace

namespace detail {

const KeyLister& key_table() {
  static const KeyLister table = [] {
    KeyLister lister;
    const SegdConfig defaults;
    visit_fields(defaults, lister);
    return lister;
  }();
  return table;
}

}  // namespace detail

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
    if (arg == "--exit-at-end") {
      result.exit_at_end = true;
      continue;
    }
    if (!arg.starts_with("--") || arg.size() == 2 || arg[2] == '=') {
      return core::fail("usage", "unexpected argument " + quoted(arg) + " (see --help)");
    }
    const auto eq = arg.find('=');
    const std::string name(arg.substr(2, eq == std::string_view::npos ? arg.npos : eq - 2));
    if (name == "help" || name == "print-config" || name == "exit-at-end") {
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

Pairs segd_environment(const char* const* envp) {
  Pairs env;
  for (const char* const* e = envp; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string_view::npos && entry.starts_with(kEnvPrefix)) {
      env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  return env;
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
    shown.admin.token = detail::kSecretMask;
  }
  for (auto& [name, value] : shown.kafka.rdkafka) {
    if (detail::secret_property(name)) {
      value = detail::kSecretMask;
    }
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
  return R"(usage: segd [--config FILE] [--print-config] [--exit-at-end] [--<section.key> VALUE ...]

Runs the segd customer segmentation daemon.

  --config FILE            YAML config file (default: none, or $SEGD_CONFIG)
  --print-config           print the effective config as YAML (secrets masked) and exit
  --exit-at-end            stop once every assigned input partition is consumed to its end
                           and the outbox is drained (backfills, tests)
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

}  // namespace segd::service
