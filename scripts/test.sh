#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian 12, as root), builds with Ninja,
# runs every ctest test (labels: unit, integration, replay, e2e).
# Usage: scripts/test.sh [extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir"
# A hung test fails after 15 minutes instead of holding the run until CI gives up.
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j2 "$@"
