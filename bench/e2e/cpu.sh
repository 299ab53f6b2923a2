#!/usr/bin/env bash
# Where the daemon's CPU goes: N generated events (default 1M, 100k customers) in a 64-partition
# topic of segd-devbroker; each run starts segd --exit-at-end (config/segments.yaml, fresh state
# dir and group, refits every 7d unless REFIT_EVERY says otherwise, librdkafka properties from
# RDKAFKA as a YAML map, e.g. RDKAFKA='{linger.ms: "20"}') and prints, for the window
# from `pipeline: assigned` to `every assigned partition is at its end`:
#   wall time and events/s, segd's CPU (all threads, including exited ones), the pipeline
#   thread's CPU, the dev broker's CPU and the idle core-seconds left of the 2 cores,
# then each segd thread's CPU since its start, as last seen before the end (short-lived refit and
# commit threads mostly end between snapshots and only show in the total). Run on purpose, not
# in ctest.
# Usage: bench/e2e/cpu.sh [BUILD_DIR] [RUNS] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/devbroker.sh
source bench/e2e/lib.sh
fail() { echo "bench: $*" >&2; exit 1; }
build=${1:-build}
runs=${2:-3}
events=${3:-1000000}
e2e_setup "$build" "$events" segd-bench-cpu

ticks() { awk '{ print $14 + $15 }' "$1/stat" 2>/dev/null || echo 0; }  # utime + stime
hz=$(getconf CLK_TCK)

for run in $(seq "$runs"); do
  write_config "run$run" events segment-changes "bench-cpu-$run" "${REFIT_EVERY:-7d}" \
    "${RDKAFKA:-"{}"}"
  "$build/bin/segd" --config "$work/run$run.yaml" --exit-at-end 2>"$work/run$run.log" &
  segd_pid=$!
  until grep -q 'pipeline: assigned' "$work/run$run.log"; do sleep 0.02; done
  p0=$(ticks "/proc/$segd_pid") m0=$(ticks "/proc/$segd_pid/task/$segd_pid")
  b0=$(ticks "/proc/$broker_pid") t0=$(date +%s.%N)
  # Threads end during shutdown: keep the last per-thread snapshot taken before the end, one a
  # second (reading /proc/PID/task/*/stat every 0.1 s slowed segd by a quarter) and one as soon as
  # the end shows in the log.
  snapshot() {  # A thread may end while it is read: skip it.
    { cat /proc/"$segd_pid"/task/*/stat 2>/dev/null || true; } |
      awk '{ print $1, $2, $14 + $15 }' >"$work/threads$run.tmp"
    mv "$work/threads$run.tmp" "$work/threads$run"
  }
  polls=0
  until grep -q 'every assigned partition is at its end' "$work/run$run.log"; do
    if ((polls++ % 20 == 0)); then
      snapshot
    fi
    sleep 0.05
  done
  snapshot
  p1=$(ticks "/proc/$segd_pid") m1=$(ticks "/proc/$segd_pid/task/$segd_pid")
  b1=$(ticks "/proc/$broker_pid") t1=$(date +%s.%N)
  wait "$segd_pid" || true
  segd_pid=""
  awk -v t0="$t0" -v t1="$t1" -v p=$((p1 - p0)) -v m=$((m1 - m0)) -v b=$((b1 - b0)) \
    -v hz="$hz" -v n="$events" -v run="$run" 'BEGIN {
      w = t1 - t0
      printf "run %d: %.2f s, %.0f events/s; segd CPU %.2f s (pipeline thread %.2f s), " \
        "broker %.2f s, idle %.2f core-s\n", run, w, n / w, p / hz, m / hz, b / hz,
        2 * w - (p + b) / hz
    }'
  awk -v hz="$hz" '$3 >= hz / 20 { printf "    %-8s %-16s %.2f s\n", $1, $2, $3 / hz }' \
    "$work/threads$run"
done
