#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace segd::io::kafka {

/// The string value of the top-level field `field` of a one-line JSON object, found by a single
/// tolerant pass (no full parse, no validation of the rest of the line). Nested objects and
/// arrays are skipped; string escapes in the value are decoded (\uXXXX to UTF-8). Returns
/// nullopt when the field is absent, not a string, empty, or the line is cut off. Pure.
[[nodiscard]] std::optional<std::string> top_level_string_field(std::string_view line,
                                                                std::string_view field);

}  // namespace segd::io::kafka
