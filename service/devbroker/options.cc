#include "options.h"

#include <algorithm>
#include <charconv>

namespace segd::devbroker {
namespace {

// A count from 1 to `max`; `what` names it in the error.
core::Result<int32_t> parse_count(std::string_view text, std::string_view what, int32_t max) {
  int32_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < 1 || value > max) {
    return core::fail("bad_flag", std::string(what) + ": expected an integer from 1 to " +
                                      std::to_string(max) + ", got '" + std::string(text) + "'");
  }
  return value;
}

core::Result<TopicSpec> parse_topic(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return core::fail("bad_flag",
                      "--topic: expected NAME:PARTITIONS, got '" + std::string(text) + "'");
  }
  if (!legal_topic_name(text.substr(0, colon))) {
    return core::fail("bad_flag", "--topic: NAME must be " + std::string(kTopicNameRule) +
                                      ", got '" + std::string(text.substr(0, colon)) + "'");
  }
  auto partitions = parse_count(text.substr(colon + 1), "--topic: PARTITIONS", kMaxPartitions);
  if (!partitions) {
    return std::unexpected(partitions.error());
  }
  return TopicSpec{std::string(text.substr(0, colon)), *partitions};
}

}  // namespace

bool legal_topic_name(std::string_view name) {
  return !name.empty() && name.size() <= 249 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

std::string usage() {
  return "usage: segd-devbroker [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file "
         "FILE]\n"
         "                      [--control FIFO] [--exit-on-eof] [--help]\n"
         "N is 1 to " +
         std::to_string(kMaxBrokers) + ", PARTITIONS 1 to " + std::to_string(kMaxPartitions) +
         ".\n"
         "Runs librdkafka's mock Kafka cluster until SIGTERM/SIGINT/SIGHUP or a `quit` command\n"
         "(or EOF on stdin, if stdin is a pipe and --exit-on-eof is given).\n"
         "Commands (one per line on stdin or the FIFO, answered `ok` or `error: ...` on stdout):\n"
         "  broker-down ID | broker-up ID | rtt BROKER_ID MS\n"
         "  request-errors API_KEY ERR [ERR...]   (names like Produce, NOT_LEADER_FOR_PARTITION)\n"
         "  leader TOPIC PARTITION BROKER_ID | coordinator group|txn KEY BROKER_ID | quit\n";
}

core::Result<Options> parse_options(const std::vector<std::string_view>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    if (flag == "--exit-on-eof") {
      options.stdin_eof = EofPolicy::kExit;
      continue;
    }
    if (flag != "--brokers" && flag != "--topic" && flag != "--bootstrap-file" &&
        flag != "--control") {
      return core::fail("bad_flag", "unknown flag: " + std::string(flag));
    }
    // A value that looks like a flag is a forgotten value (`--bootstrap-file --exit-on-eof`).
    if (i + 1 >= args.size() || args[i + 1].starts_with("--") || args[i + 1].empty()) {
      return core::fail("bad_flag", std::string(flag) + ": needs a value" +
                                        (i + 1 < args.size() && !args[i + 1].empty()
                                             ? ", got the flag '" + std::string(args[i + 1]) + "'"
                                             : std::string()));
    }
    const std::string_view value = args[++i];
    if (flag == "--brokers") {
      auto n = parse_count(value, flag, kMaxBrokers);
      if (!n) {
        return std::unexpected(n.error());
      }
      options.brokers = *n;
    } else if (flag == "--topic") {
      auto topic = parse_topic(value);
      if (!topic) {
        return std::unexpected(topic.error());
      }
      if (std::any_of(options.topics.begin(), options.topics.end(),
                      [&](const TopicSpec& t) { return t.name == topic->name; })) {
        return core::fail("bad_flag", "--topic: " + topic->name + " is given twice");
      }
      options.topics.push_back(std::move(*topic));
    } else if (flag == "--bootstrap-file") {
      options.bootstrap_file = std::string(value);
    } else if (flag == "--control") {
      options.control_fifo = std::string(value);
    }
  }
  if (options.stdin_eof == EofPolicy::kExit && !options.control_fifo.empty()) {
    // With --control, stdin is not read at all: its EOF could not be noticed.
    return core::fail("bad_flag", "--exit-on-eof applies to commands on stdin, not with --control");
  }
  return options;
}

}  // namespace segd::devbroker
