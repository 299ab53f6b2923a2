// segd-devbroker: librdkafka's mock Kafka cluster in its own process (see README.md here).
#include <cstdio>
#include <string_view>
#include <vector>

#include "options.h"
#include "server.h"
#include "service/common/standard_fds.h"

int main(int argc, char** argv) {
  // A closed stdin or stdout would otherwise be a descriptor of librdkafka's own pipes.
  segd::service::hold_closed_standard_fds();
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  auto options = segd::devbroker::parse_options(args);
  if (!options) {
    std::fprintf(stderr, "segd-devbroker: %s\n%s", options.error().message.c_str(),
                 segd::devbroker::usage().c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(segd::devbroker::usage().c_str(), stdout);
    return 0;
  }
  auto result = segd::devbroker::run_server(*options);
  if (!result) {
    std::fprintf(stderr, "segd-devbroker: %s: %s\n", result.error().code.c_str(),
                 result.error().message.c_str());
    return 1;
  }
  return 0;
}
