#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace segd::service {

/// One accepted flag: `--name VALUE` (or a bare switch when `takes_value` is kNo).
struct FlagSpec {
  enum class Value : uint8_t { kYes, kNo };
  std::string name;
  std::string help;
  Value takes_value = Value::kYes;
  bool repeatable = false;
};

/// Parsed command line: flag values by name (in order), and positional arguments.
struct ParsedFlags {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> positional;
  /// How many of `positional` came before a `--`; the rest followed it and are never options
  /// (`-h` among them is an argument). All of them when there was none.
  size_t before_terminator = 0;

  [[nodiscard]] bool has(const std::string& name) const { return values.contains(name); }
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> all(const std::string& name) const;
};

/// Parses argv[first..]; every argument after a `--` is positional, as `--` itself is not.
/// Errors (code `bad_flag`) name the flag: unknown, missing value, repeated.
[[nodiscard]] core::Result<ParsedFlags> parse_flags(const std::vector<FlagSpec>& specs,
                                                    int argc,
                                                    char** argv,
                                                    int first);

/// `--name VALUE  help` lines for --help output.
[[nodiscard]] std::string flags_help(const std::vector<FlagSpec>& specs);

/// Strict number parsing for flag values; errors name the flag.
[[nodiscard]] core::Result<int64_t> parse_int_flag(const std::string& flag,
                                                   const std::string& text);
/// parse_int_flag() within [min, max]: "--NAME: must be an integer from MIN to MAX, got 'TEXT'".
[[nodiscard]] core::Result<int64_t> parse_int_flag_in(const std::string& flag,
                                                      const std::string& text,
                                                      int64_t min,
                                                      int64_t max);
[[nodiscard]] core::Result<double> parse_double_flag(const std::string& flag,
                                                     const std::string& text);

}  // namespace segd::service
