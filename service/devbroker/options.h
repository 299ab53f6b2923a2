#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace segd::devbroker {

/// A topic to create at startup: `--topic NAME:PARTITIONS`.
struct TopicSpec {
  std::string name;
  int32_t partitions = 1;

  bool operator==(const TopicSpec&) const = default;
};

/// What to do when stdin reaches end of file. kExit applies only when stdin is a pipe, so a
/// background run with stdin at /dev/null keeps going.
enum class EofPolicy { kIgnore, kExit };

/// Parsed command line of segd-devbroker.
struct Options {
  int32_t brokers = 1;  // Default: 1
  std::vector<TopicSpec> topics;
  std::string bootstrap_file;  // Default: none (address is only logged)
  std::string control_fifo;    // Default: none (commands come from stdin)
  EofPolicy stdin_eof = EofPolicy::kIgnore;
  bool help = false;  // --help was given

  bool operator==(const Options&) const = default;
};

/// The --help text.
[[nodiscard]] std::string usage();

/// Parses argv[1..]. Errors: code `bad_flag` with a message naming the flag.
[[nodiscard]] core::Result<Options> parse_options(const std::vector<std::string_view>& args);

}  // namespace segd::devbroker
