#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/segments/rule_set.h"

namespace segd::io {

/// Reads segment definitions from rules YAML:
///   segments:
///     - name: lapsed
///       enter: "days_since_last_purchase > 60"
///       exit: "days_since_last_purchase < 30"   # optional
/// Errors (code `rules_file`) name the file, the entry and the problem; a key other than these,
/// or one given twice, is an error.
[[nodiscard]] core::Result<std::vector<core::SegmentDefinition>> parse_rules_yaml(
    std::string_view text, std::string_view origin);

/// Reads and parses a rules file.
[[nodiscard]] core::Result<std::vector<core::SegmentDefinition>> load_rules_file(
    const std::string& path);

/// Loads and compiles: the one way the daemon and segctl get a RuleSet from a file.
[[nodiscard]] core::Result<std::shared_ptr<const core::RuleSet>> load_rule_set(
    const std::string& path);

}  // namespace segd::io
