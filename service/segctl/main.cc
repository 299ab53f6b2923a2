// segctl: replay event files through the segd engine, inspect and export state, generate events,
// produce them to Kafka.
#include <array>
#include <cstdio>
#include <ios>
#include <string_view>

#include "service/common/allocator.h"
#include "service/common/standard_fds.h"
#include "service/segctl/commands.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int, char**);
};

constexpr auto kCommands = std::to_array<Command>({
    {"replay", "replay JSONL events into a state dir, print segment changes",
     segd::segctl::replay_main},
    {"inspect", "print one customer's features, segments and scores", segd::segctl::inspect_main},
    {"export", "print every customer as JSONL, sorted by customer_id", segd::segctl::export_main},
    {"gen", "generate realistic synthetic events", segd::segctl::gen_main},
    {"produce", "produce JSONL events to a Kafka topic, keyed by customer_id",
     segd::segctl::produce_main},
    {"fit", "refit the models on the stored state, store and print the new version",
     segd::segctl::fit_main},
});

void usage(std::FILE* to) {
  std::fprintf(to, "usage: segctl COMMAND [--help] [flags]\n\ncommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(to, "  %-10.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  segd::service::hold_closed_standard_fds();
  segd::service::tune_allocator_for_batches();
  // Unsynchronised iostreams buffer std::cin: synchronised, every character of a piped input
  // (`--input -`) is a separate stdio call, which made a replay from a pipe 4x slower than from
  // the same file. No command mixes stdio and iostreams on one stream.
  std::ios_base::sync_with_stdio(false);
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const Command& c : kCommands) {
    if (c.name == argv[1]) {
      return c.run(argc, argv);
    }
  }
  std::fprintf(stderr, "segctl: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
