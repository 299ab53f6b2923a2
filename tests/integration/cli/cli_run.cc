#include "integration/cli/cli_run.h"

#include <signal.h>

#include <chrono>

#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {

namespace {

Ran run_with(std::string_view program,
             const std::vector<std::string>& args,
             std::string_view stdin_text,
             const std::string& stdin_path,
             const std::string& stdout_path,
             const std::vector<std::pair<std::string, std::string>>& env) {
  const TempDir scratch("cli");
  std::vector<std::string> argv = {std::string(SEGD_BIN_DIR "/") += program};
  argv.insert(argv.end(), args.begin(), args.end());
  const StdinMode stdin_mode = !stdin_path.empty()  ? StdinMode::kFile
                               : stdin_text.empty() ? StdinMode::kNull
                                                    : StdinMode::kPipe;
  auto process =
      Process::spawn({.argv = argv,
                      .stdin_mode = stdin_mode,
                      .stdin_path = stdin_path,
                      .stdout_mode = StdoutMode::kFile,
                      .stdout_path = stdout_path.empty() ? scratch.file("stdout") : stdout_path,
                      .stderr_path = scratch.file("stderr"),
                      .env = env});
  if (!process) {
    return {.err = process.error().message};
  }
  if (!stdin_text.empty()) {
    ::signal(SIGPIPE, SIG_IGN);  // A program may exit without reading: the write fails instead.
    core::ignore_error(process->write_stdin(stdin_text), "only the program's exit code matters");
    process->close_stdin();
  }
  Ran ran;
  if (auto code = process->wait(std::chrono::minutes(1))) {
    ran.code = *code;
  } else {
    process->kill(SIGKILL);
  }
  ran.out = stdout_path.empty() ? read_text(scratch.file("stdout")) : std::string();
  ran.err = read_text(scratch.file("stderr"));
  return ran;
}

}  // namespace

Ran run(std::string_view program,
        const std::vector<std::string>& args,
        std::string_view stdin_text,
        const std::string& stdout_path,
        const std::vector<std::pair<std::string, std::string>>& env) {
  return run_with(program, args, stdin_text, {}, stdout_path, env);
}

Ran run_reading(std::string_view program,
                const std::vector<std::string>& args,
                const std::string& stdin_path) {
  return run_with(program, args, {}, stdin_path, {}, {});
}

std::string source_file(std::string_view relative) {
  return std::string(SEGD_SOURCE_DIR "/") += relative;
}

}  // namespace segd::test
