#!/usr/bin/env bash
# Model refits do not make segd's resident memory grow with the customers: 600k events of 400k
# customers over 90 days (11 weekly refits), the states cache small, consumed by segd with refits
# on and with them off; once all is processed the first may hold at most 1.3 times the second's
# resident memory. Each refit scans every stored customer on a thread of its own, and glibc kept
# what that thread freed in its malloc arenas: 715 MB against 475 MB here, and 1.6 GB against
# 474 MB at 1.3M customers (a probe), growing refit after refit. segd now hands it back after each
# refit (malloc_trim): 303 MB. With tcmalloc, the build's default allocator since, segd handed
# back tcmalloc's free pages after each refit (MallocExtension_ReleaseFreeMemory; e2e.program_heap
# checks the binding): 356 MB with refits against 339 MB without, where glibc's took 493 against
# 475. Since the thirty-second session it does so only once caught up: here, where all the input
# waits from the start, tcmalloc keeps the refits' freed pages for the next refit (389-428 MB
# against 371-399 MB without refits in four runs, 0.99-1.10x), and glibc's arenas are still
# trimmed after every refit.
# Usage: bash refit_memory.sh BIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/devbroker.sh"

bin_dir=${1:?usage: refit_memory.sh BIN_DIR}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ "${SANITIZED_BUILD:-0}" == 1 ]]; then
  # AddressSanitizer's allocator keeps freed memory in quarantine and has no arenas to trim.
  echo "refit_memory: skipped in the sanitized build (its allocator is not glibc's)"
  exit 0
fi
work=$(mktemp -d -t segd-e2e-refit-memory-XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do stop_process "$pid" 10; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  [[ -f "$work/segd.log" ]] && { echo "--- segd.log (tail):" >&2; tail -n 20 "$work/segd.log" >&2; }
  exit 1
}

# 32 partitions: the dev broker keeps a few MiB per partition, and the whole input fits at once.
start_devbroker "$bin_dir" "$work" /dev/null --topic events:32 --topic segment-changes:4 \
  --topic segd-dead-letters:1
pids+=("$broker_pid")
events=600000
"$bin_dir/segctl" gen --customers 400000 --events $events --seed 11 --days 90 \
  --output "$work/events.jsonl" 2>/dev/null || fail "segctl gen"
"$bin_dir/segctl" produce --brokers "$bootstrap" --topic events --input "$work/events.jsonl" \
  2>/dev/null || fail "segctl produce"

# resident_mb_after_consuming_all NAME [segd flags...]: runs segd on every event, sets resident_mb
# to its resident memory (MB) once all were consumed and the last batch committed, and stops it.
resident_mb_after_consuming_all() {
  local name=$1
  shift
  local port
  port=$(free_port)
  cat >"$work/$name.yaml" <<YAML
kafka:
  brokers: "$bootstrap"
  group_id: $name
  input_topics: [{name: events}]
  session_timeout_ms: 6000
state:
  dir: $work/$name-state
engine:
  cache_customers: 3000
rules:
  file: $source_dir/config/segments.yaml
admin:
  listen: 127.0.0.1:$port
YAML
  "$bin_dir/segd" --config "$work/$name.yaml" "$@" 2>"$work/segd.log" &
  local pid=$!
  pids+=("$pid")
  local consumed=0
  for _ in $(seq 1800); do
    consumed=$({ curl -s "http://127.0.0.1:$port/metrics" || true; } |
      awk '/^segd_events_consumed_total/ {n += $NF} END {printf "%d", n}')
    [[ "$consumed" -ge $events ]] && break
    kill -0 "$pid" 2>/dev/null || fail "$name: segd exited"
    sleep 0.1
  done
  [[ "$consumed" -ge $events ]] || fail "$name: consumed $consumed of $events in 180 s"
  sleep 2 # the last batch's commit, a refit still running
  resident_mb=$(awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  stop_process "$pid" 30
}

resident_mb_after_consuming_all refits
with=$resident_mb
refits=$(grep -c 'models: model version' "$work/segd.log" || true)
resident_mb_after_consuming_all no-refits --models.refit_every=off
without=$resident_mb
echo "refit_memory: resident $with MB with $refits refits, $without MB without"
[[ "$refits" -ge 10 ]] || fail "expected at least 10 refits, the log shows $refits"
((with * 10 <= without * 13)) || fail "$with MB with refits is more than 1.3 x $without MB without"
echo "refit_memory: ok"
