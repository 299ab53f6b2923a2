#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace segd::devbroker {

/// Most partitions of one `--topic`: the mock cluster allocates them all at startup (2147483647
/// aborted it, 100000000 took 23 GB).
inline constexpr int32_t kMaxPartitions = 10'000;
/// Most `--brokers`: each is a listening socket and its connections.
inline constexpr int32_t kMaxBrokers = 100;

/// A topic to create at startup: `--topic NAME:PARTITIONS`.
struct TopicSpec {
  std::string name;
  int32_t partitions = 1;  // 1..kMaxPartitions

  bool operator==(const TopicSpec&) const = default;
};

/// What to do when stdin reaches end of file. kExit applies only when stdin is a pipe, so a
/// background run with stdin at /dev/null keeps going.
enum class EofPolicy { kIgnore, kExit };

/// Parsed command line of segd-devbroker.
struct Options {
  int32_t brokers = 1;  // 1..kMaxBrokers. Default: 1
  std::vector<TopicSpec> topics;
  std::string bootstrap_file;  // Default: none (address is only logged)
  std::string control_fifo;    // Default: none (commands come from stdin)
  EofPolicy stdin_eof = EofPolicy::kIgnore;
  bool help = false;  // --help was given

  bool operator==(const Options&) const = default;
};

/// Kafka's rule for topic names: 1..249 of [a-zA-Z0-9._-], and not "." or "..".
[[nodiscard]] bool legal_topic_name(std::string_view name);
/// What legal_topic_name() requires, for messages.
inline constexpr std::string_view kTopicNameRule = "1 to 249 of a-z A-Z 0-9 . _ - (not . or ..)";

/// The --help text.
[[nodiscard]] std::string usage();

/// Parses argv[1..]. Errors: code `bad_flag` with a message naming the flag.
[[nodiscard]] core::Result<Options> parse_options(const std::vector<std::string_view>& args);

}  // namespace segd::devbroker
