#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/events/validate.h"
#include "gen/generator.h"
#include "io/config/same_file.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"
#include "service/segctl/output_file.h"

namespace segd::segctl {
namespace {

// What generating takes per customer, measured (`/usr/bin/time -f %M`, 1M and 4M customers, 10
// events): about 380 bytes, for its simulation, its planned group and budget and its truth row.
constexpr int64_t kBytesPerCustomer = 400;

// A bound on the memory this process may use, and what sets it.
struct MemoryBound {
  int64_t bytes = 0;
  std::string what;
};

// The number in a cgroup's limit file; nullopt when there is none or it says "max" (a cgroup v1
// without a limit reports a number near 2^63, which is no bound either).
std::optional<int64_t> cgroup_limit(const char* path) {
  std::ifstream in(path);
  int64_t bytes = 0;
  if (!(in >> bytes) || bytes <= 0 || bytes >= (int64_t{1} << 62)) {
    return std::nullopt;
  }
  return bytes;
}

// The address space this process already uses, from /proc/self/statm (0 when it cannot tell).
int64_t mapped_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0;
  return in >> pages ? pages * ::sysconf(_SC_PAGESIZE) : 0;
}

// The tightest of the machine's physical memory, the process's resource limits and its
// cgroup's memory limit; nullopt when none can be told.
std::optional<MemoryBound> memory_bound() {
  std::vector<MemoryBound> bounds;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_bytes = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_bytes > 0) {
    bounds.push_back({static_cast<int64_t>(pages) * page_bytes, "this machine's"});
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    // The address space counts what is mapped already (the program, its libraries).
    bounds.push_back({static_cast<int64_t>(limit.rlim_cur) - mapped_bytes(),
                      "the address space left under this process's limit (ulimit -v),"});
  }
  if (::getrlimit(RLIMIT_DATA, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    bounds.push_back(
        {static_cast<int64_t>(limit.rlim_cur), "this process's data limit (ulimit -d),"});
  }
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    if (auto bytes = cgroup_limit(path)) {
      bounds.push_back({*bytes, std::string("the cgroup's limit (") + path + "),"});
    }
  }
  if (bounds.empty()) {
    return std::nullopt;
  }
  return *std::min_element(
      bounds.begin(), bounds.end(),
      [](const MemoryBound& a, const MemoryBound& b) { return a.bytes < b.bytes; });
}

// More customers than fit in memory failed with bad_alloc (or the OOM killer) halfway, after
// --output was emptied: refused before anything is planned or opened.
core::Result<void> check_memory(int64_t customers) {
  const int64_t need = customers * kBytesPerCustomer;
  const std::optional<MemoryBound> bound = memory_bound();
  if (!bound || need <= bound->bytes) {
    return {};
  }
  constexpr double kMiB = 1024.0 * 1024.0;
  std::array<char, 256> text{};
  std::snprintf(text.data(), text.size(),
                "--customers: %lld customers need about %.0f MiB of memory, more than %s %.0f MiB",
                static_cast<long long>(customers), static_cast<double>(need) / kMiB,
                bound->what.c_str(),
                static_cast<double>(std::max<int64_t>(bound->bytes, 0)) / kMiB);
  return core::fail("bad_flag", text.data());
}

// The config from the flags; every error is a usage error naming a flag.
core::Result<gen::GenConfig> gen_config(const service::ParsedFlags& flags) {
  for (const char* required : {"customers", "events", "seed"}) {
    if (!flags.has(required)) {
      return core::fail("bad_flag", std::string("--") + required + ": required");
    }
  }
  auto customers =
      service::parse_int_flag_in("customers", *flags.get("customers"), 1, gen::kMaxCustomers);
  auto events = service::parse_int_flag("events", *flags.get("events"));
  auto seed = service::parse_int_flag("seed", *flags.get("seed"));
  auto days =
      service::parse_int_flag_in("days", flags.get("days").value_or("90"), 1, gen::kMaxDays);
  for (const auto* r : {&customers, &events, &seed, &days}) {
    if (!*r) {
      return std::unexpected(r->error());
    }
  }
  if (auto fits = check_memory(*customers); !fits) {
    return std::unexpected(fits.error());
  }
  if (*events < 0) {
    return core::fail(
        "bad_flag", "--events: must be a non-negative integer, got '" + *flags.get("events") + "'");
  }
  const std::string bad_rate_text = flags.get("bad-rate").value_or("0");
  auto bad_rate = service::parse_double_flag("bad-rate", bad_rate_text);
  if (!bad_rate) {
    return std::unexpected(bad_rate.error());
  }
  if (!(*bad_rate >= 0.0 && *bad_rate <= 1.0)) {  // NaN too
    return core::fail("bad_flag", "--bad-rate: must be in [0, 1], got '" + bad_rate_text + "'");
  }
  auto start = parse_event_time_flag("start", flags.get("start").value_or("2026-01-01T00:00:00Z"));
  if (!start) {
    return std::unexpected(start.error());
  }
  // Every event lies in [start, start + days), so its last millisecond must be accepted too.
  if (!core::accepts_event_time(core::TimestampMs{start->value() + *days * core::kMsPerDay - 1})) {
    return core::fail("bad_flag", "--days: " + std::to_string(*days) + " days from " +
                                      core::format_rfc3339(*start) + " run past " +
                                      core::format_rfc3339(core::ValidationLimits{}.max_ts) +
                                      ", where the event times segd accepts end");
  }
  gen::GenConfig config{.customers = *customers,
                        .events = *events,
                        .seed = static_cast<uint64_t>(*seed),
                        .start = *start,
                        .days = static_cast<int>(*days),
                        .bad_rate = *bad_rate};
  if (auto valid = gen::validate_config(config); !valid) {
    return std::unexpected(valid.error());
  }
  return config;
}

// The plan of the flags' config, made before any file is opened.
core::Result<gen::GenPlan> gen_plan(const service::ParsedFlags& flags) {
  auto config = gen_config(flags);
  if (!config) {
    return std::unexpected(config.error());
  }
  auto planned = gen::plan(*config);
  if (!planned) {
    // gen_config() passed validate_config(), so the config plan() refuses is the one whose
    // busiest customer's events do not fit its active window at a session's pace.
    return core::fail("bad_flag",
                      "--events: too many events per customer for the period (a customer's "
                      "events are at least 3 s apart, within its active days); give more "
                      "--customers or --days");
  }
  return planned;
}

// Generates into --output and writes --truth. A file's own error names it, so it is reported
// before the writer's.
int write_files(const gen::GenPlan& plan, const service::ParsedFlags& flags) {
  auto output = path_flag(flags, "output");
  if (!output) {
    return report(output.error(), 2);
  }
  auto truth_path = path_flag(flags, "truth");
  if (!truth_path) {
    return report(truth_path.error(), 2);
  }
  std::vector<io::FlagPath> destinations = {{"--output", output->value_or("-")}};
  if (*truth_path) {
    destinations.push_back({"--truth", **truth_path});
  }
  // Both into one file would be a mix of events and CSV.
  if (auto distinct = io::check_distinct_files({}, destinations); !distinct) {
    return report(distinct.error(), 2);
  }
  auto files = OutputFile::open_all(destinations);
  if (!files) {
    return report(files.error(), 1);
  }
  OutputFile& events = *files->front();
  OutputFile* truth = files->size() > 1 ? files->back().get() : nullptr;
  auto summary = gen::generate(plan, events.stream());
  if (auto closed = events.close(); !closed) {
    return report(closed.error(), 1);
  }
  if (!summary) {
    return report(summary.error(), 1);
  }
  if (truth) {
    auto written = gen::write_truth_csv(*summary, truth->stream());
    if (auto closed = truth->close(); !closed) {
      return report(closed.error(), 1);
    }
    if (!written) {
      return report(written.error(), 1);
    }
  }
  std::fprintf(stderr, "segctl gen: %lld lines, %lld malformed, %lld late, %lld duplicates\n",
               static_cast<long long>(summary->lines), static_cast<long long>(summary->bad_total()),
               static_cast<long long>(summary->late), static_cast<long long>(summary->duplicates));
  return 0;
}

}  // namespace

int gen_main(int argc, char** argv) {
  const CommandSpec spec{
      "segctl gen --customers N --events M --seed S [--start RFC3339] [--days D] "
      "[--bad-rate R] [--output FILE] [--truth FILE]",
      "Writes M realistic synthetic events (JSONL, time order) for N customers: skewed activity,\n"
      "sessions, view -> cart -> purchase funnels, refunds, churners, planted behaviour groups,\n"
      "~1% late and ~0.45% duplicate events, and malformed lines at rate R. Same arguments, same\n"
      "bytes. --truth writes customer_id,group for the planted groups.",
      {{"customers",
        "number of customers, 1 to 100000000, about 400 bytes of memory each (required)"},
       {"events", "number of lines (required)"},
       {"seed", "random seed (required)"},
       {"start",
        "first instant; the whole period lies in [1970-01-01, 2200-01-01), the event times "
        "segd accepts (default: 2026-01-01T00:00:00Z)"},
       {"days", "length of the period in days, 1 to 36500 (default: 90)"},
       {"bad-rate", "share of malformed lines, 0..1 (default: 0)"},
       {"output", "events file; '-' is stdout (default: -)"},
       {"truth", "write the planted group of each customer as CSV"}}};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  auto planned = gen_plan(flags);
  if (!planned) {
    return report(planned.error(), 2);
  }
  return write_files(*planned, flags);
}

}  // namespace segd::segctl
