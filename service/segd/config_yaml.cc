#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "io/config/yaml_document.h"
#include "service/segd/config.h"
#include "service/segd/config_internal.h"

namespace segd::service {

using detail::apply_text;
using detail::key_table;
using detail::kRdkafkaKey;
using detail::kTopicsKey;
using detail::Merge;
using detail::property_key;
using detail::quoted;
using detail::report_unknown;
using detail::set_property;
using detail::suggestion;

namespace {

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

std::optional<std::string> kind_of(std::string_view key) {
  const auto& table = key_table();
  auto it = std::find(table.keys.begin(), table.keys.end(), key);
  if (it == table.keys.end()) {
    return std::nullopt;
  }
  return table.kinds[static_cast<size_t>(it - table.keys.begin())];
}

/// One `<prefix><key>: duplicate key` problem for each key that `map` holds more than once.
void report_repeated_keys(Merge& merge,
                          const YAML::Node& map,
                          const std::string& prefix,
                          std::string_view source) {
  for (const std::string& key : io::repeated_keys(map)) {
    merge.problems.add(prefix + key, "duplicate key", source);
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
    report_repeated_keys(merge, item, where + ".", source);
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
  report_repeated_keys(merge, node, std::string(kRdkafkaKey) + ".", source);
  for (const auto& kv : node) {
    const std::string prop = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      merge.problems.add(property_key(prop), "expected a single value", source);
      continue;
    }
    set_property(merge, prop, kv.second.Scalar(), source);
  }
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
  report_repeated_keys(merge, node, section + ".", source);
  for (const auto& kv : node) {
    const std::string key = section + "." + kv.first.Scalar();
    const YAML::Node& value = kv.second;
    if (key == kTopicsKey) {
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

}  // namespace

namespace detail {

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

void report_unknown(Merge& merge,
                    std::string_view key,
                    const std::vector<std::string>& candidates,
                    std::string_view source) {
  merge.problems.add_line("unknown key " + quoted(key) + suggestion(key, candidates) + " (from " +
                          std::string(source) + ")");
}

void apply_yaml(Merge& merge, const std::string& text, const std::string& source) {
  try {
    const auto document = io::load_one_document(text, "the config file");
    if (!document) {
      merge.problems.add_line(source + ": " + document.error().message);
      return;
    }
    const YAML::Node& root = *document;
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
    report_repeated_keys(merge, root, "", source);
    for (const auto& kv : root) {
      const std::string section = kv.first.Scalar();
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
        report_unknown(merge, section, sections, source);
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

}  // namespace detail

}  // namespace segd::service
