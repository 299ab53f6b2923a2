#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/events/validate.h"
#include "gen/generator.h"
#include "service/segctl/cli.h"
#include "service/segctl/commands.h"

namespace segd::segctl {

int gen_main(int argc, char** argv) {
  const CommandSpec spec{
      "segctl gen --customers N --events M --seed S [--start RFC3339] [--days D] "
      "[--bad-rate R] [--output FILE] [--truth FILE]",
      "Writes M realistic synthetic events (JSONL, time order) for N customers: skewed activity,\n"
      "sessions, view -> cart -> purchase funnels, refunds, churners, planted behaviour groups,\n"
      "~1% late and ~0.5% duplicate events, and malformed lines at rate R. Same arguments, same\n"
      "bytes. --truth writes customer_id,group for the planted groups.",
      {{"customers", "number of customers, 1 to 100000000 (required)"},
       {"events", "number of lines (required)"},
       {"seed", "random seed (required)"},
       {"start",
        "first instant; the whole period lies in [1970-01-01, 2200-01-01), the event times "
        "segd accepts (default: 2026-01-01T00:00:00Z)"},
       {"days", "length of the period in days, 1 to 36500 (default: 90)"},
       {"bad-rate", "share of malformed lines, 0..1 (default: 0)"},
       {"output", "events file (default: stdout)"},
       {"truth", "write the planted group of each customer as CSV"}}};
  auto parsed = parse_command(spec, argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const auto& flags = std::get<service::ParsedFlags>(parsed);
  gen::GenConfig config;
  for (const char* required : {"customers", "events", "seed"}) {
    if (!flags.has(required)) {
      return report({"bad_flag", std::string("--") + required + ": required"}, 2);
    }
  }
  auto customers =
      service::parse_int_flag_in("customers", *flags.get("customers"), 1, gen::kMaxCustomers);
  auto events = service::parse_int_flag("events", *flags.get("events"));
  auto seed = service::parse_int_flag("seed", *flags.get("seed"));
  auto days =
      service::parse_int_flag_in("days", flags.get("days").value_or("90"), 1, gen::kMaxDays);
  auto bad_rate = service::parse_double_flag("bad-rate", flags.get("bad-rate").value_or("0"));
  auto start = parse_event_time_flag("start", flags.get("start").value_or("2026-01-01T00:00:00Z"));
  for (const auto* r : {&customers, &events, &seed, &days}) {
    if (!*r) {
      return report(r->error(), 2);
    }
  }
  if (!bad_rate) {
    return report(bad_rate.error(), 2);
  }
  if (!start) {
    return report(start.error(), 2);
  }
  // Every event lies in [start, start + days), so its last millisecond must be accepted too.
  if (!core::accepts_event_time(core::TimestampMs{start->value() + *days * core::kMsPerDay - 1})) {
    return report({"bad_flag", "--days: " + std::to_string(*days) + " days from " +
                                   core::format_rfc3339(*start) + " run past " +
                                   core::format_rfc3339(core::ValidationLimits{}.max_ts) +
                                   ", where the event times segd accepts end"},
                  2);
  }
  config.customers = *customers;
  config.events = *events;
  config.seed = static_cast<uint64_t>(*seed);
  config.days = static_cast<int>(*days);
  config.bad_rate = *bad_rate;
  config.start = *start;
  if (auto valid = gen::validate_config(config); !valid) {
    return report(valid.error(), 2);
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto path = flags.get("output"); path && *path != "-") {
    file.open(*path, std::ios::binary | std::ios::trunc);
    if (!file) {
      return report({"io_error", *path + ": cannot open"}, 1);
    }
    out = &file;
  }
  auto summary = gen::generate(config, *out);
  if (!summary) {
    return report(summary.error(), 1);
  }
  out->flush();
  if (auto path = flags.get("truth")) {
    std::ofstream truth(*path, std::ios::binary | std::ios::trunc);
    if (!truth || !gen::write_truth_csv(*summary, truth)) {
      return report({"io_error", *path + ": cannot write"}, 1);
    }
  }
  std::fprintf(stderr, "segctl gen: %lld lines, %lld malformed, %lld late, %lld duplicates\n",
               static_cast<long long>(summary->lines), static_cast<long long>(summary->bad_total()),
               static_cast<long long>(summary->late), static_cast<long long>(summary->duplicates));
  return 0;
}

}  // namespace segd::segctl
