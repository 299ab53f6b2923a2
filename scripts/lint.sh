#!/usr/bin/env bash
# clang-tidy over the project's own code (lib/ and service/) with .clang-tidy's checks; prints
# each finding and exits 1 when there is any. Run on purpose (2.5-7 minutes on 2 cores), not in
# scripts/test.sh. Tests and benchmarks are left out: gtest's and Google Benchmark's macros and
# naming (TEST bodies, BM_ functions) are theirs.
#
# clang-tidy 14 (Debian 12's) reads the code as clang 14 does: it does not know -std=c++23, and
# libstdc++ 12's <expected> hides std::expected from a compiler whose __cpp_concepts is below
# 202002. So the compile commands get -std=c++2b and that macro. clang 14 still fails to
# instantiate some uses of std::expected (P0848, conditionally trivial special members), which
# it reports as clang-diagnostic-error in the files that use them: the compiler's limits, not
# findings, so they are not counted; nor is bugprone-branch-clone in those files, where the
# expressions clang could not type-check make unlike branches look alike.
#
# Usage: scripts/lint.sh [BUILD_DIR]   (a configured build: its compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if ! command -v clang-tidy-14 >/dev/null; then
  echo "lint: clang-tidy-14 is missing (apt-get install clang-tidy-14)" >&2
  exit 2
fi
if [[ ! -f "$build/compile_commands.json" ]]; then
  echo "lint: $build/compile_commands.json is missing: configure a build first (see README)" >&2
  exit 2
fi

tidy_one() {  # FILE -> its findings, one per line
  local out
  out=$(clang-tidy-14 -p "$build" --quiet --extra-arg=-std=c++2b \
    --extra-arg=-Wno-builtin-macro-redefined --extra-arg=-U__cpp_concepts \
    --extra-arg=-D__cpp_concepts=202002L "$1" 2>/dev/null || true)
  local findings
  findings=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: warning: .*\[[a-z0-9.,-]+\]$' <<<"$out" |
    grep -v '\[clang-diagnostic-' || true)
  if grep -q '\[clang-diagnostic-error\]' <<<"$out"; then
    findings=$(grep -v '\[bugprone-branch-clone\]' <<<"$findings" || true)
  fi
  if [[ -n "$findings" ]]; then
    printf '%s\n' "$findings"
  fi
}
export -f tidy_one
export build

mapfile -t files < <(git ls-files 'lib/*.cc' 'service/*.cc')
out=$(printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -I{} bash -c 'tidy_one "$1"' _ {} |
  sort -u)
if [[ -n "$out" ]]; then
  printf '%s\n' "$out"
  echo "lint: $(printf '%s\n' "$out" | wc -l) findings" >&2
  exit 1
fi
echo "lint: no findings in ${#files[@]} files" >&2
