#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian 12, as root), builds with Ninja, runs
# every ctest test (labels: unit, integration, replay, e2e), then builds and runs the same suite
# again under AddressSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize.sh, build dir
# build-sanitize/). SEGD_TEST_SANITIZE=0 skips that second pass.
# Usage: scripts/test.sh [extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir"
# A hung test fails after 15 minutes instead of holding the run until CI gives up.
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j2 "$@"
if [[ "${SEGD_TEST_SANITIZE:-1}" != 0 ]]; then
  echo "test: the suite again, under AddressSanitizer and UndefinedBehaviorSanitizer" >&2
  scripts/sanitize.sh "$@"
fi
