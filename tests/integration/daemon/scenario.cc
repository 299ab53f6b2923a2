#include "integration/daemon/scenario.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "core/common/check.h"
#include "integration/admin/http_client.h"
#include "io/codec/segment_change_json.h"
#include "io/kafka/conf.h"
#include "io/kafka/errors.h"
#include "io/kafka/handles.h"
#include "io/state/rocks_store.h"
#include "io/state/state_codec.h"

namespace segd::test {

using std::chrono::seconds;

std::optional<DevBroker> start_broker(int32_t brokers, const std::vector<std::string>& topics) {
  auto broker = DevBroker::start(
      {.binary = bin_path("segd-devbroker"), .brokers = brokers, .topics = topics});
  if (!broker) {
    ADD_FAILURE() << "dev broker: " << broker.error().code << ": " << broker.error().message;
    return std::nullopt;
  }
  return std::optional<DevBroker>(std::move(*broker));
}

std::optional<DevBroker> start_broker_with_events(const std::string& input, int32_t partitions) {
  auto broker = start_broker(1, topics_with(partitions));
  if (!broker) {
    return std::nullopt;
  }
  if (auto produced = produce_file(broker->bootstrap(), "events", input); !produced) {
    ADD_FAILURE() << "produce " << input << ": " << produced.error().message;
    return std::nullopt;
  }
  return broker;
}

void control(DevBroker& broker, const std::string& command) {
  auto reply = broker.command(command);
  ASSERT_TRUE(reply.has_value()) << command << ": " << reply.error().message;
  ASSERT_EQ(*reply, "ok") << command;
}

std::optional<DevBroker> start_broker_with_topic_down(const std::string& down_topic) {
  const std::vector<std::string> topics = {"events", "segment-changes", "segd-dead-letters"};
  auto broker = start_broker(2, {"events:1", "segment-changes:1", "segd-dead-letters:1"});
  if (!broker) {
    return std::nullopt;
  }
  std::vector<std::string> commands = {"coordinator group segd-it 1"};
  for (const std::string& topic : topics) {
    commands.push_back("leader " + topic + " 0 " + (topic == down_topic ? "2" : "1"));
  }
  commands.push_back("broker-down 2");
  for (const std::string& command : commands) {
    control(*broker, command);
    if (::testing::Test::HasFatalFailure()) {
      return std::nullopt;
    }
  }
  return broker;
}

std::vector<std::string> topics_with(int32_t partitions) {
  const std::string p = ":" + std::to_string(partitions);
  return {"events" + p, "segment-changes" + p, "segd-dead-letters" + p};
}

core::Result<void> gen_events(const GenSpec& spec, const std::string& path) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.4f", spec.bad_rate);
  return run_tool({bin_path("segctl"), "gen", "--customers", std::to_string(spec.customers),
                   "--events", std::to_string(spec.events), "--seed", std::to_string(spec.seed),
                   "--bad-rate", rate, "--output", path},
                  "", seconds(120));
}

core::Result<void> produce_file(const std::string& bootstrap,
                                const std::string& topic,
                                const std::string& path,
                                const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {bin_path("segctl"), "produce", "--brokers", bootstrap,
                                   "--topic",          topic,     "--input",   path};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return run_tool(argv, "", seconds(180));
}

core::Result<void> produce_messages(const std::string& bootstrap,
                                    const std::string& topic,
                                    const std::vector<Message>& messages) {
  auto conf =
      io::kafka::make_conf({{"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"}});
  if (!conf) {
    return std::unexpected(conf.error());
  }
  auto rk = io::kafka::make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) {
    return std::unexpected(rk.error());
  }
  for (const Message& m : messages) {  // Tests produce far fewer than the 100k queue slots.
    // A null value is a tombstone; the macro casts its arguments, so they are plain variables.
    char* value = m.value ? const_cast<char*>(m.value->data()) : nullptr;
    const size_t length = m.value ? m.value->size() : 0;
    const auto err = rd_kafka_producev(
        rk->get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(m.partition),
        RD_KAFKA_V_KEY(m.key.data(), m.key.size()), RD_KAFKA_V_VALUE(value, length),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
      return std::unexpected(io::kafka::to_error(err, "produce"));
    }
  }
  if (const auto flushed = rd_kafka_flush(rk->get(), 30000); flushed) {
    return std::unexpected(io::kafka::to_error(flushed, "flush"));
  }
  return {};
}

std::vector<std::string> split_file(const std::string& path, int chunks, const TempDir& scratch) {
  const std::vector<std::string> lines = split_lines(read_text(path));
  const size_t per_chunk = (lines.size() + static_cast<size_t>(chunks) - 1) / chunks;
  std::vector<std::string> paths;
  for (size_t begin = 0; begin < lines.size(); begin += per_chunk) {
    std::string text;
    for (size_t i = begin; i < lines.size() && i < begin + per_chunk; ++i) {
      text += lines[i] + "\n";
    }
    paths.push_back(scratch.file("chunk-" + std::to_string(paths.size()) + ".jsonl"));
    CHECK(write_text(paths.back(), text).has_value());
  }
  return paths;
}

SplitInput split_by_type(const std::string& input, const TempDir& dir) {
  SplitInput out{dir.file("clicks.jsonl"), dir.file("purchases.jsonl")};
  std::string clicks;
  std::string purchases;
  for (const std::string& line : split_lines(read_text(input))) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    const bool is_purchase = line.find(R"("type":"purchase")") != std::string::npos ||
                             line.find(R"("type":"refund")") != std::string::npos;
    (is_purchase ? purchases : clicks) += line + "\n";
    ++(is_purchase ? out.purchases : out.clicks);
  }
  CHECK(write_text(out.clicks_path, clicks).has_value());
  CHECK(write_text(out.purchases_path, purchases).has_value());
  return out;
}

core::Result<std::string> export_state(const std::string& state_dir, const TempDir& scratch) {
  const std::string out = scratch.file("export-" + std::to_string(::getpid()) + ".jsonl");
  if (auto r =
          run_tool({bin_path("segctl"), "export", "--state-dir", state_dir}, out, seconds(120));
      !r) {
    return std::unexpected(r.error());
  }
  std::string text = read_text(out);
  std::remove(out.c_str());
  return text;
}

core::Result<Reference> make_reference(const std::string& input,
                                       int32_t partitions,
                                       const TempDir& scratch) {
  const std::string state = scratch.file("replay-state");
  const std::string out = scratch.file("replay-changes.jsonl");
  if (auto r = run_tool({bin_path("segctl"), "replay", "--input", input, "--state-dir", state,
                         "--rules", source_path("config/segments.yaml"), "--partitions",
                         std::to_string(partitions), "--output", out},
                        "", seconds(300));
      !r) {
    return std::unexpected(r.error());
  }
  auto exported = export_state(state, scratch);
  if (!exported) {
    return std::unexpected(exported.error());
  }
  Reference ref;
  for (std::string& line : split_lines(read_text(out))) {
    ref.changes.insert(std::move(line));
  }
  ref.export_text = std::move(*exported);
  return ref;
}

std::string compare_with_reference(const Reference& reference,
                                   const std::string& bootstrap,
                                   int32_t output_partitions,
                                   const std::string& state_dir,
                                   const TempDir& scratch,
                                   OutputFormat format,
                                   const std::string& output_topic) {
  auto published = read_topic(bootstrap, output_topic, output_partitions);
  if (!published) {
    return "reading " + output_topic + ": " + published.error().message;
  }
  if (format == OutputFormat::kProtobuf) {
    for (HeadedRecord& r : *published) {
      const core::Result<core::SegmentChange> change = io::decode_change(r.value);
      if (!change) {
        return "a segment-changes record at partition " + std::to_string(r.partition) + " offset " +
               std::to_string(r.offset) +
               " is not a segd.v1.SegmentChange: " + change.error().message;
      }
      r.value = io::encode_segment_change_json(*change);
    }
  }
  const ChangeCheck check = check_changes(*published);
  std::string out;
  for (const std::string& p : check.problems) {
    out += "contract: " + p + "\n";
  }
  if (std::string d = diff_sets(reference.changes, check.distinct); !d.empty()) {
    out += "published SegmentChanges (dedup by event_id) vs segctl replay: " + d + "\n";
  }
  auto exported = export_state(state_dir, scratch);
  if (!exported) {
    return out + "export of segd's state: " + exported.error().message;
  }
  if (std::string d = diff_text(reference.export_text, *exported); !d.empty()) {
    out += "segctl export of segd's state vs replay's: " + d + "\n";
  }
  // segd ran to its end and drained its outbox: every delivered record is deleted too.
  auto store = io::RocksStore::open(io::StoreConfig{.path = state_dir});
  if (!store) {
    return out + "opening segd's state: " + store.error().message;
  }
  if (auto left = (*store)->pending_outbox(10); !left || !left->empty()) {
    out += "outbox records left after the run: " +
           (left ? std::to_string(left->front().seq) + "..." : left.error().message) + "\n";
  }
  return out;
}

size_t wait_for_changes(const std::string& bootstrap,
                        int32_t output_partitions,
                        size_t want,
                        seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t have = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto records = read_topic(bootstrap, "segment-changes", output_partitions); records) {
      have = check_changes(*records).distinct.size();
      if (have >= want) {
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }
  return have;
}

core::Result<Summary> run_segd_to_end(const std::string& config_path,
                                      const TempDir& scratch,
                                      const std::string& log_name,
                                      seconds timeout,
                                      const std::vector<std::string>& flags) {
  auto segd = start_segd(config_path, ExitMode::kAtEnd, scratch.file(log_name), flags);
  if (!segd) {
    return std::unexpected(segd.error());
  }
  auto code = segd->wait(timeout);
  if (!code) {
    segd->process.kill(SIGKILL);
    static_cast<void>(segd->wait(seconds(10)));
    const std::string log = segd->log();
    return core::fail("timeout", "segd --exit-at-end still running after " +
                                     std::to_string(timeout.count()) + " s; log tail:\n" +
                                     log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
  }
  const std::string log = segd->log();
  if (*code != 0) {
    return core::fail("exit_code", "segd exited " + std::to_string(*code) + "; log tail:\n" +
                                       log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
  }
  return parse_summary(log);
}

std::optional<double> series_value(std::string_view metrics_text, std::string_view series) {
  const std::string line_start = std::string(series) + " ";
  for (const std::string& line : split_lines(metrics_text)) {
    if (line.starts_with(line_start)) {
      return std::stod(line.substr(line_start.size()));
    }
  }
  return std::nullopt;
}

std::optional<double> metric_value(const SegdProcess& segd, std::string_view series) {
  auto r = http_fetch(admin_port(segd), "GET", "/metrics");
  if (!r || r->status != 200) {
    return std::nullopt;
  }
  return series_value(r->body, series);
}

bool wait_for_metric(const SegdProcess& segd,
                     std::string_view series,
                     double at_least,
                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (metric_value(segd, series).value_or(-1) < at_least) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace segd::test
