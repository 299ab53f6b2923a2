#pragma once

namespace segd::segctl {

/// Each subcommand takes the whole argv (argv[1] is its name) and returns the exit code:
/// 0 success, 1 runtime failure, 2 usage error.
int replay_main(int argc, char** argv);
int inspect_main(int argc, char** argv);
int export_main(int argc, char** argv);
int gen_main(int argc, char** argv);
int produce_main(int argc, char** argv);
int fit_main(int argc, char** argv);

}  // namespace segd::segctl
