#include "commands.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

#include "options.h"

namespace segd::devbroker {
namespace {

struct ApiName {
  std::string_view name;
  int16_t key;
};

constexpr std::array<ApiName, 27> kApiNames{{
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"DescribeGroups", 15},
    {"ListGroups", 16},
    {"SaslHandshake", 17},
    {"ApiVersions", 18},
    {"CreateTopics", 19},
    {"DeleteTopics", 20},
    {"DeleteRecords", 21},
    {"InitProducerId", 22},
    {"OffsetForLeaderEpoch", 23},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
    {"DescribeConfigs", 32},
    {"AlterConfigs", 33},
    {"SaslAuthenticate", 36},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename Int>
bool parse_int(std::string_view text, Int& value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
    if (i > start) {
      words.push_back(line.substr(start, i - start));
    }
  }
  return words;
}

Reply ok() { return Reply{"ok", After::kContinue}; }

Reply error(std::string message) { return Reply{"error: " + std::move(message), After::kContinue}; }

Reply from_err(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? ok() : error(rd_kafka_err2str(err));
}

Reply run_request_errors(rd_kafka_mock_cluster_t* cluster,
                         const std::vector<std::string_view>& words) {
  if (words.size() < 3) {
    return error("usage: request-errors API_KEY ERR [ERR...]");
  }
  auto api = parse_api_key(words[1]);
  if (!api) {
    return error(api.error().message);
  }
  std::vector<rd_kafka_resp_err_t> errors;
  for (size_t i = 2; i < words.size(); ++i) {
    auto err = parse_error_code(words[i]);
    if (!err) {
      return error(err.error().message);
    }
    errors.push_back(*err);
  }
  rd_kafka_mock_push_request_errors_array(cluster, *api, errors.size(), errors.data());
  return ok();
}

Reply run_broker_command(rd_kafka_mock_cluster_t* cluster,
                         const std::vector<std::string_view>& words) {
  int32_t broker = 0;
  if (words.size() < 2 || !parse_int(words[1], broker)) {
    return error("expected a broker id");
  }
  if (words[0] == "broker-down" && words.size() == 2) {
    return from_err(rd_kafka_mock_broker_set_down(cluster, broker));
  }
  if (words[0] == "broker-up" && words.size() == 2) {
    return from_err(rd_kafka_mock_broker_set_up(cluster, broker));
  }
  int rtt_ms = 0;
  if (words[0] == "rtt" && words.size() == 3 && parse_int(words[2], rtt_ms) && rtt_ms >= 0) {
    return from_err(rd_kafka_mock_broker_set_rtt(cluster, broker, rtt_ms));
  }
  return error("usage: broker-down ID | broker-up ID | rtt BROKER_ID MS");
}

Reply run_leader(rd_kafka_mock_cluster_t* cluster,
                 int32_t brokers,
                 const std::vector<std::string_view>& words) {
  int32_t partition = 0;
  int32_t broker = 0;
  if (words.size() != 4 || !parse_int(words[2], partition) || !parse_int(words[3], broker)) {
    return error("usage: leader TOPIC PARTITION BROKER_ID");
  }
  // The mock creates a topic it does not know with PARTITION + 1 partitions: bound it as --topic.
  if (partition < 0 || partition >= kMaxPartitions) {
    return error("partition " + std::to_string(partition) + " is not in 0.." +
                 std::to_string(kMaxPartitions - 1));
  }
  if (broker != -1 && (broker < 1 || broker > brokers)) {
    return error("no broker " + std::to_string(broker) + " (ids are 1.." + std::to_string(brokers) +
                 ", -1 for no leader)");
  }
  // The mock takes any name, and one over 32767 bytes broke every later Metadata response.
  if (!legal_topic_name(words[1])) {
    return error("TOPIC must be " + std::string(kTopicNameRule));
  }
  const std::string topic(words[1]);
  return from_err(rd_kafka_mock_partition_set_leader(cluster, topic.c_str(), partition, broker));
}

Reply run_coordinator(rd_kafka_mock_cluster_t* cluster,
                      int32_t brokers,
                      const std::vector<std::string_view>& words) {
  int32_t broker = 0;
  if (words.size() != 4 || (words[1] != "group" && words[1] != "txn") ||
      !parse_int(words[3], broker)) {
    return error("usage: coordinator group|txn KEY BROKER_ID");
  }
  if (broker < 1 || broker > brokers) {
    return error("no broker " + std::to_string(broker) + " (ids are 1.." + std::to_string(brokers) +
                 ")");
  }
  // The mock names the transactional coordinator type "transaction".
  const char* key_type = words[1] == "group" ? "group" : "transaction";
  const std::string key(words[2]);
  return from_err(rd_kafka_mock_coordinator_set(cluster, key_type, key.c_str(), broker));
}

}  // namespace

core::Result<int16_t> parse_api_key(std::string_view text) {
  int16_t key = 0;
  const bool number = parse_int(text, key);
  for (const auto& api : kApiNames) {
    if (number ? api.key == key : iequals(api.name, text)) {
      return api.key;
    }
  }
  // Errors pushed for another key were taken ("ok") and never returned by any request.
  std::string known;
  for (const auto& api : kApiNames) {
    known += (known.empty() ? "" : " ") + std::string(api.name) + "=" + std::to_string(api.key);
  }
  return core::fail("bad_api_key",
                    "unknown api key: " + std::string(text) + " (known: " + known + ")");
}

core::Result<rd_kafka_resp_err_t> parse_error_code(std::string_view text) {
  int code = 0;
  const bool number = parse_int(text, code);
  constexpr std::string_view kPrefix = "RD_KAFKA_RESP_ERR_";
  if (!number && text.starts_with(kPrefix)) {
    text.remove_prefix(kPrefix.size());
  }
  // A number must be a code librdkafka knows too: any other made requests fail with a code no
  // client can interpret.
  const rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name == nullptr ||
        !(number ? descs[i].code == code : iequals(descs[i].name, text))) {
      continue;
    }
    // Internal codes are never on the wire: the mock would send one as a response's error code,
    // which no client interprets. The mock itself gives _TRANSPORT a meaning: a disconnect.
    if (descs[i].code < 0 && descs[i].code != RD_KAFKA_RESP_ERR__TRANSPORT) {
      return core::fail("bad_error_code",
                        "error code " + std::string(descs[i].name) +
                            " is internal to librdkafka, never sent by a broker (of the internal "
                            "codes only _TRANSPORT, a forced disconnect, is taken)");
    }
    return descs[i].code;
  }
  return core::fail("bad_error_code", "unknown error code: " + std::string(text));
}

Reply run_command(rd_kafka_mock_cluster_t* cluster, int32_t brokers, std::string_view line) {
  // No command holds one; a NUL would cut the echo of the line, and escapes would reach the
  // terminal.
  const auto control = std::find_if(line.begin(), line.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t' && c != '\r') || u == 0x7f;
  });
  if (control != line.end()) {
    std::array<char, 8> hex{};
    std::snprintf(hex.data(), hex.size(), "0x%02x", static_cast<unsigned char>(*control));
    return error("control character " + std::string(hex.data()) + " in the line");
  }
  const auto words = split_words(line);
  if (words.empty() || words[0].starts_with('#')) {
    return ok();
  }
  const std::string_view verb = words[0];
  if (verb == "quit") {
    return words.size() == 1 ? Reply{"ok", After::kQuit} : error("usage: quit");
  }
  if (verb == "broker-down" || verb == "broker-up" || verb == "rtt") {
    return run_broker_command(cluster, words);
  }
  if (verb == "request-errors") {
    return run_request_errors(cluster, words);
  }
  if (verb == "leader") {
    return run_leader(cluster, brokers, words);
  }
  if (verb == "coordinator") {
    return run_coordinator(cluster, brokers, words);
  }
  return error("unknown command: " + std::string(verb));
}

}  // namespace segd::devbroker
