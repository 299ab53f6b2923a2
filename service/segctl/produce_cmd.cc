#include <fcntl.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigaction is POSIX's, not <csignal>'s
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <istream>
#include <optional>

#include "io/codec/json_event_codec.h"
#include "io/codec/proto_event_codec.h"
#include "io/config/fd.h"
#include "io/config/input_file.h"
#include "io/kafka/bulk_producer.h"
#include "io/kafka/conf.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"
#include "service/segctl/stoppable_input.h"

namespace segd::segctl {
namespace {

// A JSON event line as segd.v1.Event; a line that is not a valid event goes as it is (a
// consumer reading protobuf dead-letters it as bad_protobuf).
std::optional<std::string> to_protobuf(std::string_view line) {
  const core::Result<core::Event> event = io::decode_json_event(line);
  if (!event) {
    return std::nullopt;
  }
  return io::encode_proto_event(*event);
}

// The signal that asked the run to stop, 0 while none did.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "set from a signal handler");

void on_stop_signal(int signal_number) { g_stop_signal.store(signal_number); }

// SIGINT and SIGTERM stop the reading (StoppableInput) and let what was queued be delivered and
// counted; a second one ends the process at once (SA_RESETHAND).
void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int produce_main(int argc, char** argv) {
  const CommandSpec spec{
      "segctl produce --brokers HOST:PORT --topic T [--input FILE] [--format json|protobuf]\n"
      "               [--property K=V ...]",
      "Produces each line of FILE ('-' for stdin) as one message to topic T, keyed by its\n"
      "customer_id (murmur2_random partitioner, idempotent producer), and waits for every\n"
      "delivery report. --format protobuf sends each valid event as a serialized segd.v1.Event\n"
      "(a line that is not a valid event goes as it is). Prints produced/delivered/failed on\n"
      "stderr; exit 1 if any failed.",
      {{"brokers", "bootstrap servers (required)"},
       {"topic", "topic to produce to (required)"},
       {"input", "JSONL file; '-' reads stdin (default: -)"},
       {"format", "payload format: json (each line as it is) or protobuf (default: json)"},
       {"property",
        "extra librdkafka property K=V, not partitioner or bootstrap.servers (repeatable)",
        service::FlagSpec::Value::kYes, true}}};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  io::kafka::BulkProduceConfig config;
  for (const auto& [name, field] :
       {std::pair{"brokers", &config.brokers}, std::pair{"topic", &config.topic}}) {
    auto value = required_flag(flags, name);
    if (!value) {
      return report(value.error(), 2);
    }
    *field = *value;
  }
  auto input_flag = path_flag(flags, "input");
  if (!input_flag) {
    return report(input_flag.error(), 2);
  }
  for (const std::string& kv : flags.all("property")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return report({"bad_flag", "--property: expected K=V, got '" + kv + "'"}, 2);
    }
    config.rdkafka_overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (auto allowed = io::kafka::check_overrides(config.rdkafka_overrides); !allowed) {
    return report({"bad_flag", "--property " + allowed.error().message}, 2);
  }
  // What librdkafka itself refuses (an unknown name, a bad value, or a value that conflicts with
  // the producer's own settings: acks=0 against idempotence) is a usage error too.
  const auto refused =
      io::kafka::refusals(RD_KAFKA_PRODUCER, io::kafka::bulk_producer_properties(config));
  if (!refused.empty()) {
    const io::kafka::Refusal& r = refused.front();
    const std::string which = r.property.empty() ? std::string() : r.property + ": ";
    return report({"bad_flag", "--property " + which + r.reason}, 2);
  }
  const std::string format = flags.get("format").value_or("json");
  if (format != "json" && format != "protobuf") {
    return report({"bad_flag", "--format: expected json or protobuf, got '" + format + "'"}, 2);
  }
  const std::string input = input_flag->value_or("-");
  std::optional<io::Fd> file;  // Standard input when empty.
  if (input != "-") {
    if (auto readable = io::check_input_file(input); !readable) {
      return report({"io_error", "--input: " + readable.error().message}, 1);
    }
    const int opened = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (opened < 0) {
      return report({"io_error", "--input: " + input + ": " + std::strerror(errno)}, 1);
    }
    file.emplace(opened);
  }
  stop_on_signals();
  StoppableInput buffer(file ? file->get() : STDIN_FILENO, g_stop_signal);
  std::istream in(&buffer);
  auto stats = io::kafka::produce_jsonl(
      config, in, format == "protobuf" ? io::kafka::LineEncoder(to_protobuf) : nullptr,
      &g_stop_signal);
  if (!stats) {
    return report(stats.error(), 1);
  }
  std::string as_is;
  if (stats->sent_as_is > 0) {
    as_is = " (" + std::to_string(stats->sent_as_is) + " not valid events, sent as they are)";
  }
  if (stats->null_keys > 0) {
    as_is += " (" + std::to_string(stats->null_keys) + " without a string customer_id, null key)";
  }
  std::fprintf(stderr, "segctl produce: %lld produced%s, %lld delivered, %lld failed%s%s\n",
               static_cast<long long>(stats->produced), as_is.c_str(),
               static_cast<long long>(stats->delivered), static_cast<long long>(stats->failed),
               stats->failed ? ": " : "", stats->first_error.c_str());
  if (const int signal_number = g_stop_signal.load(); signal_number != 0) {
    std::fprintf(stderr,
                 "segctl produce: %s: stopped after line %lld of the input (blank lines not "
                 "counted); the delivered lines are in the topic, produce only the rest again\n",
                 strsignal(signal_number), static_cast<long long>(stats->produced));
    return 128 + signal_number;
  }
  if (buffer.read_error() != 0) {  // The reader stops at a read error as at the end of input.
    std::fprintf(stderr,
                 "segctl produce: io_error: --input: %s: read error after line %lld (blank lines "
                 "not counted): %s; produce only the rest again\n",
                 input == "-" ? "standard input" : input.c_str(),
                 static_cast<long long>(stats->produced), std::strerror(buffer.read_error()));
    return 1;
  }
  if (stats->stopped) {
    std::fprintf(stderr,
                 "segctl produce: stopped after line %lld of the input (blank lines not "
                 "counted); the delivered lines are in the topic, produce only the rest again\n",
                 static_cast<long long>(stats->produced));
  }
  return stats->failed == 0 ? 0 : 1;
}

}  // namespace segd::segctl
