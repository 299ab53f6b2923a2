#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (with float-cast-overflow):
# installs what is missing (Debian 12, as root), builds every program and test with
# -DSEGD_SANITIZE=ON into build-sanitize/, and runs ctest. Tests that start segd, segctl or the
# dev broker start the sanitized builds, so the daemon runs instrumented too. Any report is fatal
# to the process that made it, which fails its test.
# Usage: scripts/sanitize.sh [extra ctest args, e.g. -L unit or -R Mutation]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build_dir=${SANITIZE_BUILD_DIR:-build-sanitize}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEGD_SANITIZE=ON \
  -DSEGD_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Instrumented code runs 2-5x slower; the timeouts scale with it.
ctest --test-dir "$build_dir" --output-on-failure --timeout 2700 -j2 "$@"
