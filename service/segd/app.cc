#include "service/segd/app.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <thread>

#include "io/admin/admin_server.h"
#include "io/admin/metrics.h"
#include "io/codec/json_writer.h"
#include "io/config/rules_loader.h"
#include "io/log/log.h"
#include "io/pipeline/daemon_backend.h"
#include "io/pipeline/outbox_drainer.h"
#include "io/pipeline/pipeline.h"
#include "io/state/rocks_store.h"
#include "io/state/state_writer.h"

namespace segd::service {

using io::operator""_key;

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
std::atomic<bool> g_daemon_started{false};  ///< run_daemon() has begun: a stop is an orderly one.

extern "C" void on_stop_signal(int sig) {
  if (!g_daemon_started.load()) {
    // Nothing is open yet (segd reads its configuration, or waits for its FIFO's writer): end as
    // the signal's default action does.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_stop.store(true);
}
extern "C" void on_reload_signal(int /*sig*/) { g_reload.store(true); }

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // A signal during a blocking read (a config file that is a pipe) resumes the read.
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_reload_signal;
  sigaction(SIGHUP, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

namespace {

io::LogLevel log_level(const std::string& name) {
  if (name == "debug") {
    return io::LogLevel::kDebug;
  }
  if (name == "warn") {
    return io::LogLevel::kWarn;
  }
  return name == "error" ? io::LogLevel::kError : io::LogLevel::kInfo;
}

io::WireFormat wire(PayloadFormat f) {
  return f == PayloadFormat::kJson ? io::WireFormat::kJson : io::WireFormat::kProtobuf;
}

io::PipelineConfig pipeline_config(const SegdConfig& c) {
  io::PipelineConfig p;
  p.brokers = c.kafka.brokers;
  p.group_id = c.kafka.group_id;
  for (const InputTopic& t : c.kafka.input_topics) {
    p.inputs.push_back({t.name, wire(t.format)});
  }
  p.output_topic = c.kafka.output_topic;
  p.output_format = wire(c.kafka.output_format);
  p.dead_letter_topic = c.kafka.dead_letter_topic;
  p.rdkafka_overrides = c.kafka.rdkafka;
  p.session_timeout = c.kafka.session_timeout;
  p.batch_max_events = c.engine.batch_max_events;
  p.batch_max_timers = c.engine.batch_max_timers;
  p.batch_max_wait = c.engine.batch_max_wait;
  p.cache_customers = c.engine.cache_customers;
  p.max_event_time_ahead_ms = parse_duration_or_off(c.engine.max_event_time_ahead)->count();
  p.outbox_max_in_flight = c.outbox.max_in_flight;
  p.outbox_max_pending = c.outbox.max_pending;
  p.drain_timeout = c.outbox.shutdown_drain_timeout;
  p.publisher_nice = c.outbox.publisher_nice;
  p.refit_every_ms = parse_duration_or_off(c.models.refit_every)->count();
  p.refit_weekly_unit = c.models.time_unit == "week";
  p.kmeans_k = static_cast<size_t>(c.models.kmeans_k);
  return p;
}

// `segd: summary {...}`: this run's accounting, for operators and tests.
std::string summary_json(const io::PipelineSnapshot& s) {
  io::JsonWriter w;
  w.begin_object();
  w.key("topics"_key);
  w.begin_object();
  for (const auto& [topic, t] : s.topics) {
    w.key(topic);
    w.begin_object();
    w.key("consumed"_key);
    w.number(t.consumed);
    w.key("processed"_key);
    w.number(t.processed);
    w.key("duplicates"_key);
    w.number(t.duplicates);
    w.key("lost_to_retention"_key);
    w.number(t.lost_to_retention);
    w.key("dead_lettered"_key);
    w.begin_object();
    for (const auto& [reason, n] : t.dead_lettered) {
      w.key(reason);
      w.number(n);
    }
    w.end_object();
    w.end_object();
  }
  w.end_object();
  int64_t changes = 0;
  for (const auto& [name, n] : s.changes) {
    changes += n;
  }
  w.key("changes"_key);
  w.number(changes);
  w.key("outbox_published"_key);
  w.number(s.outbox_published);
  w.key("timers_fired"_key);
  w.number(s.timers_fired);
  w.key("batches"_key);
  w.number(s.batches);
  w.end_object();
  return w.take();
}

// The admin HTTP server on its own io_context thread.
class AdminThread {
 public:
  AdminThread() : guard_(io_.get_executor()) {}

  core::Result<void> start(const SegdConfig& config,
                           io::AdminBackend& backend,
                           io::MetricsExporter& metrics) {
    auto listen = parse_host_port(config.admin.listen);
    if (!listen) {
      return std::unexpected(listen.error());
    }
    io::AdminConfig ac;
    ac.host = listen->host;
    ac.port = listen->port;
    ac.token = config.admin.token;
    ac.max_connections = config.admin.max_connections;
    ac.max_body_bytes = config.admin.max_body_bytes;
    ac.request_timeout = config.admin.request_timeout;
    ac.build_version = SEGD_VERSION;
    auto server = io::AdminServer::create(io_, ac, backend, metrics);
    if (!server) {
      return std::unexpected(server.error());
    }
    server_ = std::move(*server);
    thread_ = std::thread([this] {
      io::name_this_thread("segd-admin");
      io_.run();
    });
    io::log(io::LogLevel::kInfo, "admin",
            "listening on http://" +
                (ac.host.find(':') != std::string::npos ? "[" + ac.host + "]" : ac.host) + ":" +
                std::to_string(server_->port()));
    return {};
  }

  core::Result<void> stop() {
    core::Result<void> closed;
    if (server_) {
      closed = server_->close();
    }
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
    server_.reset();
    return closed;
  }

  ~AdminThread() { core::ignore_error(stop(), "fallback: run_daemon stops it in order"); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::unique_ptr<io::AdminServer> server_;
  std::thread thread_;
};

int fail(const core::Error& e) {
  io::log(io::LogLevel::kError, "segd", e.code + ": " + e.message);
  return 1;
}

}  // namespace

int run_daemon(const SegdConfig& config, RunUntil until) {
  g_daemon_started.store(true);
  io::set_log_level(log_level(config.log.level));
  io::route_protobuf_logs();
  io::log(io::LogLevel::kInfo, "segd", "starting; state in " + config.state.dir);
  const bool fsync = config.state.durability == "power_loss";
  if (fsync) {
    io::log(io::LogLevel::kInfo, "segd", "state: the WAL is fsynced on every commit");
  }
  // The rules first: a bad rules file must not leave a fresh state dir behind.
  auto rules = io::load_rule_set(config.rules.file);
  if (!rules) {
    return fail(rules.error());
  }
  auto store = io::RocksStore::open(
      io::StoreConfig{.path = config.state.dir,
                      .block_cache_bytes = config.state.block_cache_mb << 20,
                      .durability = fsync ? io::Durability::kWalSync : io::Durability::kWalNoSync});
  if (!store) {
    return fail(store.error());
  }
  if (auto claimed = io::claim_state_dir(**store, config.state.dir, io::StateWriter::kSegd);
      !claimed) {
    return fail(claimed.error());
  }
  const io::PipelineConfig pc = pipeline_config(config);
  io::PipelineStats stats;
  auto drainer = io::OutboxDrainer::create(pc, **store, stats);
  if (!drainer) {
    return fail(drainer.error());
  }
  (*drainer)->start();
  io::MetricsExporter metrics(SEGD_VERSION);
  std::vector<std::string> input_topics;
  for (const auto& t : pc.inputs) {
    input_topics.push_back(t.name);
  }
  metrics.declare_topics(input_topics);
  io::PipelineObserver observer{
      [&metrics](double seconds, size_t events) {
        metrics.observe_batch(seconds, static_cast<int64_t>(events));
      },
      [&metrics](std::span<const double> seconds) { metrics.observe_event_lags(seconds); }};
  auto pipeline = io::Pipeline::create(pc, **store, *rules, stats, **drainer, observer);
  if (!pipeline) {
    return fail(pipeline.error());
  }
  std::unique_ptr<io::ErasureWriter> erasures;
  if (!config.kafka.erasure_topic.empty()) {
    const auto topic = std::find_if(pc.inputs.begin(), pc.inputs.end(), [&](const auto& t) {
      return t.name == config.kafka.erasure_topic;
    });
    auto writer = io::ErasureWriter::create(pc, *topic);  // The config checked it is an input.
    if (!writer) {
      return fail(writer.error());
    }
    erasures = std::move(*writer);
    io::log(io::LogLevel::kInfo, "segd",
            "erasures: DELETE /v1/customers/{id} writes erasure events to " + topic->name);
  }
  io::DaemonBackend backend(**pipeline, **store, stats, config.rules.file, *rules, erasures.get());
  AdminThread admin;
  if (auto started = admin.start(config, backend, metrics); !started) {
    return fail(started.error());
  }
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    io::name_this_thread("segd-reloader");
    while (!done.load()) {
      if (g_reload.exchange(false)) {
        core::ignore_error(backend.reload_rules(std::chrono::steady_clock::now()),
                           "logged by the backend");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  io::log(io::LogLevel::kInfo, "segd", "consuming from " + config.kafka.brokers);
  auto ran =
      (*pipeline)->run(g_stop, until == RunUntil::kEndOfInput ? io::Pipeline::StopAt::kEndOfInput
                                                              : io::Pipeline::StopAt::kSignal);
  done.store(true);
  reloader.join();
  io::log(io::LogLevel::kInfo, "segd", "stopping: leaving the group, draining the outbox");
  auto closed = (*pipeline)->close();
  auto drained = (*drainer)->stop(config.outbox.shutdown_drain_timeout);
  // The probes are answered until here (/healthz 200, /readyz 503 once the partitions are gone),
  // and the outbox gauges can be scraped during the drain. The store outlives the admin API.
  auto admin_stopped = admin.stop();
  auto store_closed = (*store)->close();
  std::fprintf(stderr, "segd: summary %s\n", summary_json(stats.snapshot()).c_str());
  for (const auto* r : {&ran, &admin_stopped, &closed, &drained, &store_closed}) {
    if (!*r) {
      return fail(r->error());
    }
  }
  io::log(io::LogLevel::kInfo, "segd", "stopped cleanly");
  return 0;
}

}  // namespace segd::service
