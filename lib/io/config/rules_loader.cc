#include "io/config/rules_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>

#include "io/config/input_file.h"
#include "io/config/yaml_document.h"

namespace segd::io {
namespace {

core::Result<std::string> scalar(const YAML::Node& entry,
                                 const char* key,
                                 std::string_view where,
                                 bool required) {
  const YAML::Node value = entry[key];
  if (!value) {
    if (required) {
      return core::fail("rules_file", std::string(where) + ": missing '" + key + "'");
    }
    return std::string();
  }
  if (!value.IsScalar()) {
    return core::fail("rules_file", std::string(where) + ": '" + key + "' must be a string");
  }
  return value.as<std::string>();
}

// Every key of `map` is one of `known`, once: a misspelt key (`exitt:`) would otherwise be
// ignored and its segment run on a default, and yaml-cpp's lookups see only a key's first copy.
core::Result<void> check_keys(const YAML::Node& map,
                              std::initializer_list<std::string_view> known,
                              std::string_view where) {
  for (const auto& pair : map) {
    const std::string key = pair.first.Scalar();
    if (!pair.first.IsScalar() || std::find(known.begin(), known.end(), key) == known.end()) {
      std::string expected;
      for (std::string_view k : known) {
        expected += (expected.empty() ? "" : ", ") + std::string(k);
      }
      // A null or collection key has no text: Scalar() gives "" for it, as for the key "".
      const std::string what = pair.first.IsScalar() ? "unknown key '" + key + "'"
                               : pair.first.IsNull() ? "a null key"
                               : pair.first.IsMap()  ? "a map as a key"
                                                     : "a list as a key";
      return core::fail("rules_file",
                        std::string(where) + ": " + what + " (expected " + expected + ")");
    }
  }
  if (const auto repeated = repeated_keys(map); !repeated.empty()) {
    return core::fail("rules_file",
                      std::string(where) + ": duplicate key '" + repeated.front() + "'");
  }
  return {};
}

core::Result<std::vector<core::SegmentDefinition>> read_segments(const YAML::Node& root,
                                                                 std::string_view origin) {
  if (!root.IsMap()) {
    // Looking a key up in a scalar would throw; an empty file is a null document.
    return core::fail("rules_file",
                      std::string(origin) + (root.IsNull() ? ": expected a 'segments' list"
                                                           : ": expected a mapping with a "
                                                             "'segments' list"));
  }
  if (auto r = check_keys(root, {"segments"}, origin); !r) {
    return std::unexpected(r.error());
  }
  const YAML::Node segments = root["segments"];
  if (!segments || !segments.IsSequence()) {
    return core::fail("rules_file", std::string(origin) + ": expected a 'segments' list");
  }
  std::vector<core::SegmentDefinition> defs;
  for (size_t i = 0; i < segments.size(); ++i) {
    const YAML::Node entry = segments[i];
    const std::string where = std::string(origin) + ": segments[" + std::to_string(i) + "]";
    if (!entry.IsMap()) {
      return core::fail("rules_file", where + ": expected a map with name, enter, exit");
    }
    auto name = scalar(entry, "name", where, true);
    if (!name) {
      return std::unexpected(name.error());
    }
    if (auto r = check_keys(entry, {"name", "enter", "exit"}, where + " (" + *name + ")"); !r) {
      return std::unexpected(r.error());
    }
    auto enter = scalar(entry, "enter", where + " (" + *name + ")", true);
    if (!enter) {
      return std::unexpected(enter.error());
    }
    auto exit = scalar(entry, "exit", where + " (" + *name + ")", false);
    if (!exit) {
      return std::unexpected(exit.error());
    }
    defs.push_back({std::move(*name), std::move(*enter), std::move(*exit)});
  }
  return defs;
}

}  // namespace

core::Result<std::vector<core::SegmentDefinition>> parse_rules_yaml(std::string_view text,
                                                                    std::string_view origin) {
  // yaml-cpp reports problems by throwing, from the parse and from lookups alike: none may
  // escape (segd re-reads this file on SIGHUP while it runs).
  try {
    auto root = load_one_document(std::string(text), "the rules file");
    if (!root) {
      return core::fail("rules_file", std::string(origin) + ": " + root.error().message);
    }
    return read_segments(*root, origin);
  } catch (const YAML::Exception& e) {
    return core::fail("rules_file", std::string(origin) + ": invalid YAML: " + e.what());
  }
}

core::Result<std::vector<core::SegmentDefinition>> load_rules_file(const std::string& path) {
  auto text = read_input_file(path);
  if (!text) {
    return core::fail("rules_file", text.error().message);
  }
  return parse_rules_yaml(*text, path);
}

core::Result<std::shared_ptr<const core::RuleSet>> load_rule_set(const std::string& path) {
  auto defs = load_rules_file(path);
  if (!defs) {
    return std::unexpected(defs.error());
  }
  auto rules = core::RuleSet::compile(std::move(*defs));
  if (!rules) {
    return core::fail(rules.error().code, path + ": " + rules.error().message);
  }
  return rules;
}

}  // namespace segd::io
