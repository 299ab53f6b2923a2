#pragma once
// Runs the segctl and segd binaries of this build as child processes and keeps what they wrote.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace segd::test {

/// How a program ended and what it printed.
struct Ran {
  int code = -1;  ///< Exit code; -1 when it did not end within a minute (it is killed).
  std::string out;
  std::string err;
};

/// Runs `SEGD_BIN_DIR/<program> args...` to completion, with `stdin_text` on its standard input.
/// Its standard output goes to `stdout_path` when one is given (such as /dev/full; `out` is then
/// empty), else it is kept in `out`. The program gets `env` and none of our SEGD_* variables
/// (see ProcessOptions::env).
[[nodiscard]] Ran run(std::string_view program,
                      const std::vector<std::string>& args,
                      std::string_view stdin_text = {},
                      const std::string& stdout_path = {},
                      const std::vector<std::pair<std::string, std::string>>& env = {});

/// As run(), with the file (or directory) at `stdin_path` opened as its standard input.
[[nodiscard]] Ran run_reading(std::string_view program,
                              const std::vector<std::string>& args,
                              const std::string& stdin_path);

/// `SEGD_SOURCE_DIR/<relative>`.
[[nodiscard]] std::string source_file(std::string_view relative);

}  // namespace segd::test
