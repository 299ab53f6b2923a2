#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace segd::io {

/// Parses `text` as one YAML document (a null node when it is empty or only comments). yaml-cpp's
/// YAML::Load() reads the first document and drops the rest without a word, so a second one
/// (after `---`) is an error, code `yaml_documents`: "<what> has N YAML documents (separated by
/// ---); segd reads one". Throws YAML::Exception on a syntax error, as YAML::Load() does (the
/// callers catch it to report its line), including two that YAML::Load() accepts: a token
/// yaml-cpp cannot start a document with, which it took for an empty document, and a quoted
/// scalar without its closing quote, which it ended at the end of the input ("unterminated
/// quoted string starting at line L, column C", marked at the end of the input). Pure.
[[nodiscard]] core::Result<YAML::Node> load_one_document(const std::string& text,
                                                         std::string_view what);

/// The keys that `map` holds more than once, each listed once, in the order of their second
/// copies; empty for a node that is not a mapping. yaml-cpp keeps every copy of a repeated key,
/// and its lookups see only the first, so a reader that does not ask would silently pick one.
/// Non-scalar keys count as the empty string. Pure.
[[nodiscard]] std::vector<std::string> repeated_keys(const YAML::Node& map);

}  // namespace segd::io
