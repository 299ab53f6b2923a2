#!/usr/bin/env bash
# Replay throughput: 1M generated events over 100k customers through `segctl replay` (state in
# RocksDB, WAL on, batch 5000, config/segments.yaml), median of N runs, beside the same replay
# without rules (engine + state only) measured in the same session, as a ratio, and the replay
# with rules pinned to one core (taskset -c 0: decoding, engine, batch writes and RocksDB's
# background work all share it).
# Usage: bench/replay/run.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/segctl" gen --customers 100000 --events 1000000 --seed 3 --output "$work/events.jsonl" 2>/dev/null

measure() {  # label pin rules-args...
  local label=$1 pin=$2
  shift 2
  local times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/state"
    local start end
    start=$(date +%s.%N)
    $pin "$build/bin/segctl" replay --input "$work/events.jsonl" --state-dir "$work/state" \
      --batch-size 5000 --output "$work/out.jsonl" "$@" 2>/dev/null
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%s %s\n' "$label" "$median"
}

full=$(measure full "" --rules config/segments.yaml | awk '{print $2}')
bare=$(measure no-rules "" | awk '{print $2}')
pinned=$(measure pinned "taskset -c 0" --rules config/segments.yaml | awk '{print $2}')
printf 'replay 1M events / 100k customers, median of %d runs\n' "$runs"
awk -v f="$full" -v b="$bare" -v p="$pinned" 'BEGIN {
  printf "  with rules:    %6.2f s  %8.0f events/s\n", f, 1000000 / f
  printf "  without rules: %6.2f s  %8.0f events/s\n", b, 1000000 / b
  printf "  with rules, pinned to one core: %6.2f s  %8.0f events/s\n", p, 1000000 / p
  printf "  ratio (with / without rules throughput): %.2f\n", b / f
}'
