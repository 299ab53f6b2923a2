// segd: the real-time customer segmentation daemon. Wiring lives in app.cc.
#include <cstdio>

#include "io/config/input_file.h"
#include "service/common/allocator.h"
#include "service/common/standard_fds.h"
#include "service/segd/app.h"
#include "service/segd/config.h"

extern char** environ;

int main(int argc, char** argv) {
  using namespace segd::service;
  install_signal_handlers();
  hold_closed_standard_fds();
  tune_allocator_for_batches();
  auto cl = parse_command_line(argc, argv);
  if (!cl || cl->help) {
    std::fprintf(cl ? stdout : stderr, "%s%s\n",
                 cl ? "" : ("segd: " + cl.error().message + "\n\n").c_str(), usage_text().c_str());
    return cl ? 0 : 2;
  }
  const auto env = segd_environment(environ);
  ConfigSources sources{std::nullopt, "defaults", env, cl->overrides};
  if (auto path = config_path(*cl, env)) {
    auto text =
        segd::io::read_input_file(*path, segd::io::kMaxInputFileBytes, segd::io::FifoWriter::kWait);
    if (!text) {
      std::fprintf(stderr, "segd: %s: %s\n", cl->config_path ? "--config" : "SEGD_CONFIG",
                   text.error().message.c_str());
      return 2;
    }
    sources.yaml_text = std::move(*text);
    sources.origin = *path;
  }
  const auto invalid = [](const std::string& problems) {
    std::fprintf(stderr, "segd: invalid configuration:\n%s\n", problems.c_str());
    return 2;
  };
  auto config = load_config(sources);
  if (!config) {
    return invalid(config.error().message);
  }
  if (cl->print_config) {
    std::fputs(render_config(*config).c_str(), stdout);
    return 0;
  }
  // Checked here to name the key and its source; the daemon reads the file when it starts.
  if (auto rules = segd::io::check_input_file(config->rules.file); !rules) {
    return invalid(key_problem(sources, "rules.file", rules.error().message));
  }
  return run_daemon(*config, cl->exit_at_end ? RunUntil::kEndOfInput : RunUntil::kSignal);
}
