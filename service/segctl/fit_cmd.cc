#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/scoring/trainer.h"
#include "io/codec/json_writer.h"
#include "io/replay/customer_view.h"
#include "io/replay/model_store.h"
#include "io/state/rocks_store.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"
#include "service/segctl/output_file.h"

namespace segd::segctl {

using io::operator""_key;

namespace {

// The largest stored stream time over all partitions.
core::Result<int64_t> latest_stream_time(io::RocksStore& store) {
  auto stream_times = io::partition_stream_times(store);
  if (!stream_times) {
    return std::unexpected(stream_times.error());
  }
  const int64_t latest = std::ranges::max(*stream_times);
  if (latest == 0) {
    return core::fail("no_stream_time",
                      "no event has been processed into the state dir yet, so it has no stream "
                      "time to fit at (replay or consume events first, or pass --as-of)");
  }
  return latest;
}

std::string fit_json(const core::models::ModelSnapshot& s) {
  io::JsonWriter w;
  w.begin_object();
  w.key("version"_key);
  w.number(s.version);
  w.key("active_from"_key);
  w.string(core::format_rfc3339(core::TimestampMs{s.active_from_ms}));
  w.key("bgnbd"_key);
  w.begin_object();
  for (const auto& [name, value] : {std::pair{"r", s.bgnbd.r},
                                    {"alpha", s.bgnbd.alpha},
                                    {"a", s.bgnbd.a},
                                    {"b", s.bgnbd.b},
                                    {"log_likelihood", s.diagnostics.bgnbd_log_likelihood}}) {
    w.key(name);
    w.number(value);
  }
  w.key("n"_key);
  w.number(s.diagnostics.bgnbd_n);
  w.end_object();
  w.key("gamma_gamma"_key);
  w.begin_object();
  for (const auto& [name, value] :
       {std::pair{"p", s.gamma_gamma.p}, {"q", s.gamma_gamma.q}, {"v", s.gamma_gamma.v}}) {
    w.key(name);
    w.number(value);
  }
  w.key("n"_key);
  w.number(s.diagnostics.gamma_gamma_n);
  w.end_object();
  w.key("kmeans"_key);
  w.begin_object();
  w.key("k"_key);
  w.number(static_cast<int64_t>(s.centroids.size()));
  w.key("centroids"_key);
  w.begin_array();
  for (const auto& c : s.centroids) {
    w.begin_array();
    for (const double v : core::models::unstandardize(s.standardizer, c)) {
      w.number(v);
    }
    w.end_array();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return w.take();
}

// segd's models.kmeans_k range: `2..100`.
std::string k_range() {
  return std::to_string(core::scoring::kMinClusters) + ".." +
         std::to_string(core::scoring::kMaxClusters);
}

core::Result<core::scoring::TrainOptions> train_options(const service::ParsedFlags& flags) {
  core::scoring::TrainOptions options;
  const std::string unit = flags.get("time-unit").value_or("day");
  if (unit == "week") {
    options.time_unit = core::models::TimeUnit::kWeek;
  } else if (unit != "day") {
    return core::fail("bad_flag", "--time-unit: expected day or week");
  }
  if (auto k = flags.get("k")) {
    auto parsed = service::parse_int_flag("k", *k);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    if (*parsed < static_cast<int64_t>(core::scoring::kMinClusters) ||
        *parsed > static_cast<int64_t>(core::scoring::kMaxClusters)) {
      return core::fail("bad_flag", "--k: must be in " + k_range());
    }
    options.k = static_cast<size_t>(*parsed);
  }
  return options;
}

// `as_of` is --as-of when given, else the store's latest stream time.
int run_fit(io::RocksStore& store,
            std::optional<core::TimestampMs> as_of,
            const core::scoring::TrainOptions& options) {
  auto latest = latest_stream_time(store);
  if (!latest && (!as_of || latest.error().code != "no_stream_time")) {
    return report(latest.error(), 1);
  }
  if (!as_of) {
    as_of = core::TimestampMs{*latest};
  } else if (latest && as_of->value() < *latest) {
    // The stored customers are as of the stream time: a fit cannot see them earlier (each would
    // be taken at its own last event, a mix of times that gave degenerate fits).
    return report({"bad_flag", "--as-of: " + core::format_rfc3339(*as_of) +
                                   " is before the state dir's stream time " +
                                   core::format_rfc3339(core::TimestampMs{*latest})},
                  2);
  }
  auto snapshot = io::refit_and_store(store, *as_of, options);
  if (!snapshot) {
    if (snapshot.error().code == "too_few_customers") {
      return report({snapshot.error().code, "--k: " + snapshot.error().message}, 1);
    }
    return report(snapshot.error(), 1);
  }
  // The new version is stored whether or not it can be printed.
  const auto out = OutputFile::standard_output();
  out->stream() << fit_json(*snapshot) << '\n';
  if (auto written = out->close(); !written) {
    return report(written.error(), 1);
  }
  return 0;
}

}  // namespace

int fit_main(int argc, char** argv) {
  const CommandSpec spec{
      "segctl fit --state-dir DIR [--as-of RFC3339] [--time-unit day|week] [--k K]",
      "Refits the models (BG/NBD, Gamma-Gamma, streaming k-means continuing from the latest\n"
      "stored version, RFM quintiles) on every stored customer as of a stream time, stores the\n"
      "result as the next model version and prints it as JSON (centroids in raw feature units).",
      {{"state-dir", "RocksDB state directory (required)"},
       {"as-of",
        "stream time to fit at, in [1970-01-01, 2200-01-01), not before the largest stored "
        "stream time (the default)"},
       {"time-unit", "BG/NBD time unit, day or week (default: day)"},
       {"k", "number of clusters, " + k_range() +
                 " (default: " + std::to_string(core::scoring::kDefaultClusters) +
                 ", as segd's models.kmeans_k)"}}};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  const auto dir = required_flag(flags, "state-dir");
  if (!dir) {
    return report(dir.error(), 2);
  }
  auto options = train_options(flags);
  if (!options) {
    return report(options.error(), 2);
  }
  std::optional<core::TimestampMs> as_of;
  if (auto text = flags.get("as-of")) {
    auto parsed = parse_event_time_flag("as-of", *text);
    if (!parsed) {
      return report(parsed.error(), 2);
    }
    as_of = *parsed;
  }
  auto store = open_state_dir(*dir, io::OpenMode::kExisting);
  if (!store) {
    return report(store.error(), 1);
  }
  const int code = run_fit(**store, as_of, *options);
  if (auto closed = (*store)->close(); !closed) {
    return report(closed.error(), 1);
  }
  return code;
}

}  // namespace segd::segctl
