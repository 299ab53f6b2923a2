#!/usr/bin/env bash
# Replay throughput: 1M generated events over 100k customers through `segctl replay` (state in
# RocksDB, WAL on, batch 5000, config/segments.yaml), median of N runs: with rules, without rules
# (engine + state only), and with rules pinned to one core (taskset -c 0: decoding, engine, batch
# writes and RocksDB's background work all share it), with rules reading the events from a pipe
# (`--input -`), and with rules and model refits every 7 days of stream time (`--refit-every 7d`,
# 13 refits, each a scan of every stored customer and a training run, inline in a replay).
# With BASE_BUILD_DIR, the same figures for that build too, its runs alternating with this
# build's (the machine's drift hits both alike), and each ratio this / base.
# Usage: bench/replay/run.sh [BUILD_DIR] [RUNS] [BASE_BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
runs=${2:-3}
base=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/segctl" gen --customers 100000 --events 1000000 --seed 3 --output "$work/events.jsonl" 2>/dev/null

one_run() {  # segctl pin rules-args... -> seconds; pin "pipe" reads the events from a pipe
  local segctl=$1 pin=$2
  shift 2
  rm -rf "$work/state"
  local start end
  start=$(date +%s.%N)
  if [[ "$pin" == pipe ]]; then
    cat "$work/events.jsonl" | "$segctl" replay --input - --state-dir "$work/state" \
      --batch-size 5000 --output "$work/out.jsonl" "$@" 2>/dev/null
  else
    $pin "$segctl" replay --input "$work/events.jsonl" --state-dir "$work/state" \
      --batch-size 5000 --output "$work/out.jsonl" "$@" 2>/dev/null
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

measure() {  # label pin rules-args... ; prints "label this [base]"
  local label=$1 pin=$2
  shift 2
  local mine=() theirs=()
  for _ in $(seq "$runs"); do
    mine+=("$(one_run "$build/bin/segctl" "$pin" "$@")")
    if [[ -n "$base" ]]; then
      theirs+=("$(one_run "$base/bin/segctl" "$pin" "$@")")
    fi
  done
  printf '%s %s' "$label" "$(printf '%s\n' "${mine[@]}" | median)"
  if [[ -n "$base" ]]; then
    printf ' %s' "$(printf '%s\n' "${theirs[@]}" | median)"
  fi
  printf '\n'
}

{
  measure with-rules "" --rules config/segments.yaml
  measure without-rules ""
  measure pinned-one-core "taskset -c 0" --rules config/segments.yaml
  measure from-a-pipe pipe --rules config/segments.yaml
  measure with-refits "" --rules config/segments.yaml --refit-every 7d
} | awk -v runs="$runs" -v base="$base" '
  BEGIN { printf "replay 1M events / 100k customers, median of %d runs\n", runs }
  {
    printf "  %-16s %6.2f s %8.0f events/s", $1 ":", $2, 1000000 / $2
    if (NF == 3) {
      printf "   base %6.2f s %8.0f events/s   ratio %.2f", $3, 1000000 / $3, $3 / $2
    }
    printf "\n"
  }'
