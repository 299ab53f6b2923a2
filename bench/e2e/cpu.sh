#!/usr/bin/env bash
# Where the daemon's CPU goes: N generated events (default 1M, 100k customers) in a 64-partition
# topic of segd-devbroker; each run starts segd --exit-at-end (config/segments.yaml, fresh state
# dir and group, refits every 7d unless REFIT_EVERY says otherwise, librdkafka properties from
# RDKAFKA as a YAML map, e.g. RDKAFKA='{linger.ms: "20"}') and prints, for the window
# from `pipeline: assigned` to `every assigned partition is at its end`:
#   wall time and events/s, segd's CPU (all threads, including exited ones), the pipeline
#   thread's CPU and how its off-CPU time split (waiting for a CPU while runnable, or blocked),
#   the dev broker's CPU, and from /proc/stat the machine's idle core-seconds and the CPU of
#   everything else, and segd's minor page faults (each a trap to the hypervisor on some VMs) and
#   peak RSS at the window's end,
# then each segd thread's CPU since its start, as last seen before the end (short-lived refit and
# commit threads mostly end between snapshots and only show in the total). Run on purpose, not
# in ctest.
# The measuring itself stays off the CPU: the end is found by one stream read of the log, the
# snapshots use shell builtins, and only a `sleep` is started, once a second. (A fork+exec costs
# milliseconds on these VMs; an earlier version polled with grep and sleep every 50 ms, which took
# 1.5-2 of the window's ~14 core-seconds and showed up as "idle".)
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
hz=$(getconf CLK_TCK)

usage() {  # /proc/.../stat -> "utime+stime minor-page-faults" (exited threads included; 0 0
  # once gone); a thread name holds no spaces here
  local f
  read -r -a f <"$1/stat" 2>/dev/null || { echo 0 0; return; }
  echo $((f[13] + f[14])) "${f[9]}"
}
machine() {  # busy and idle (idle + iowait) ticks of all CPUs, from /proc/stat
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
  echo $((user + nice + system + irq + softirq + steal)) $((idle + iowait))
}
peak_rss_kb() {  # the process's peak resident set so far (VmHWM), in kB
  local key value rest
  while read -r key value rest; do
    [[ "$key" == VmHWM: ]] && { echo "$value"; return; }
  done <"$1/status"
  echo 0
}
schedstat() {  # the thread's time on a CPU and waiting for one while runnable, in ms
  local run wait rest
  read -r run wait rest <"$1/schedstat"
  echo $((run / 1000000)) $((wait / 1000000))
}
snapshot() {  # every segd thread's "tid (name) ticks"; a thread may end while it is read
  local f s out=""
  for f in /proc/"$segd_pid"/task/*/stat; do
    read -r -a s <"$f" 2>/dev/null || continue
    out+="${s[0]} ${s[1]} $((s[13] + s[14]))"$'\n'
  done
  printf '%s' "$out" >"$work/threads$run"
}

for run in $(seq "$runs"); do
  write_config "run$run" events segment-changes "bench-cpu-$run" "${REFIT_EVERY:-7d}" \
    "${RDKAFKA:-"{}"}"
  "$build/bin/segd" --config "$work/run$run.yaml" --exit-at-end 2>"$work/run$run.log" &
  segd_pid=$!
  grep -q -m1 'pipeline: assigned' < <(tail -n +1 -f --pid="$segd_pid" "$work/run$run.log")
  main="/proc/$segd_pid/task/$segd_pid"
  read -r p0 f0 < <(usage "/proc/$segd_pid")
  read -r b0 _ < <(usage "/proc/$broker_pid")
  read -r s0 i0 < <(machine)
  read -r r0 w0 < <(schedstat "$main")
  t0=$(date +%s.%N)
  # Threads end during shutdown: keep the last per-thread snapshot taken before the end, one a
  # second and one as soon as the end shows in the log.
  (while kill -0 "$segd_pid" 2>/dev/null; do snapshot; sleep 1; done) &
  snapshots=$!
  grep -q -m1 'every assigned partition is at its end' \
    < <(tail -n +1 -f --pid="$segd_pid" "$work/run$run.log")
  t1=$(date +%s.%N)
  read -r r1 w1 < <(schedstat "$main")
  read -r s1 i1 < <(machine)
  read -r p1 f1 < <(usage "/proc/$segd_pid")
  rss=$(peak_rss_kb "/proc/$segd_pid")
  read -r b1 _ < <(usage "/proc/$broker_pid")
  kill "$snapshots" 2>/dev/null || true
  wait "$snapshots" 2>/dev/null || true
  snapshot
  wait "$segd_pid" || true
  segd_pid=""
  awk -v t0="$t0" -v t1="$t1" -v p=$((p1 - p0)) -v b=$((b1 - b0)) \
    -v busy=$((s1 - s0)) -v idle=$((i1 - i0)) -v ran=$((r1 - r0)) -v queued=$((w1 - w0)) \
    -v faults=$((f1 - f0)) -v rss="$rss" -v hz="$hz" -v n="$events" -v run="$run" 'BEGIN {
      w = t1 - t0
      printf "run %d: %.2f s, %.0f events/s; segd CPU %.2f s, dev broker %.2f s, " \
        "everything else %.2f s, idle %.2f core-s\n", run, w, n / w, p / hz, b / hz,
        (busy - p - b) / hz, idle / hz
      printf "    pipeline thread: on a CPU %.2f s, runnable waiting for one %.2f s, blocked " \
        "%.2f s\n", ran / 1000, queued / 1000, w - (ran + queued) / 1000
      printf "    segd minor page faults: %d; peak RSS so far %.0f MB\n", faults, rss / 1024
    }'
  awk -v hz="$hz" '$3 >= hz / 20 { printf "    %-8s %-16s %.2f s\n", $1, $2, $3 / hz }' \
    "$work/threads$run"
done
