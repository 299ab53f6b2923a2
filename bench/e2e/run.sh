#!/usr/bin/env bash
# End-to-end segd benchmark against segd-devbroker (librdkafka's mock cluster), run on purpose.
#  1. Throughput: N generated events (default 1M, 100k customers) already in a 64-partition topic;
#     segd --exit-at-end with config/segments.yaml and a fresh state dir processes them (RocksDB
#     state, outbox, published SegmentChanges included), once with the default model refits
#     (every 7 days of stream time) and once with refits off. Beside it, in the same session, the
#     raw librdkafka consume rate of the same topic (kcat, assign from the beginning to the end),
#     with librdkafka's default fetch.max.bytes and with segd's.
#  2. Latency: segd running; latency.py produces 20k events/s with `ts` = now and measures produce
#     -> SegmentChange delivery on the output topic.
#  3. With BASE_BUILD_DIR: the throughput runs of that build's segd too, alternating with this
#     build's in each run (same broker, same topic), and the ratios this / base.
# Each figure is the median of RUNS runs.
# Usage: bench/e2e/run.sh [BUILD_DIR] [RUNS] [EVENTS] [BASE_BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/devbroker.sh
source bench/e2e/lib.sh
fail() { echo "bench: $*" >&2; exit 1; }
build=${1:-build}
runs=${2:-3}
events=${3:-1000000}
base=${4:-}
python=/usr/bin/python3
e2e_setup "$build" "$events" segd-bench-e2e --topic lat-events:16 --topic lat-changes:16

epoch() { date -d "$1" +%s.%N; }  # RFC 3339 log timestamp -> seconds
median() { sort -g | sed -n "$(((runs + 1) / 2))p"; }

# Before each measured run: the state dirs of earlier runs go and every dirty page is written, so
# no run pays for the previous one's writeback (a stopped segd leaves ~100 MB of fresh SSTs).
settle_disk() {
  rm -rf "$work"/state-*
  sync
}

segd_rate() {  # name refit_every [build]: runs segd to the end of the topic, prints events/s
  write_config "$1" events segment-changes "bench-$1" "$2"
  settle_disk
  timeout 600 "${3:-$build}/bin/segd" --config "$work/$1.yaml" --exit-at-end 2>"$work/$1.log"
  grep -q "\"consumed\":$events," "$work/$1.log" || { tail "$work/$1.log" >&2; exit 1; }
  local first last
  first=$(grep -m1 'pipeline: assigned' "$work/$1.log" | cut -d' ' -f1)
  last=$(grep -m1 'every assigned partition is at its end' "$work/$1.log" | cut -d' ' -f1)
  awk -v a="$(epoch "$first")" -v b="$(epoch "$last")" -v n="$events" \
    'BEGIN { printf "%.0f", n / (b - a) }'
}

kcat_rate() {  # [kcat args...]: reads the whole topic, prints events/s
  local start end got
  start=$(date +%s.%N)
  got=$(timeout 120 kcat -C -b "$bootstrap" -t events -o beginning -e -q -f '\n' "$@" | wc -l)
  end=$(date +%s.%N)
  [[ "$got" == "$events" ]] || { echo "kcat read $got of $events" >&2; exit 1; }
  awk -v a="$start" -v b="$end" -v n="$events" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# segd's consumer caps fetch responses at 4 MiB (kFetchMaxBytes, lib/io/pipeline/
# consumer_properties.h), librdkafka's default is 50 MiB: kcat is measured both ways.
raw=() raw_capped=() e2e=() e2e_norefit=() base_e2e=() base_norefit=()
for run in $(seq "$runs"); do
  settle_disk
  raw+=("$(kcat_rate)")
  raw_capped+=("$(kcat_rate -X fetch.max.bytes=4194304)")
  e2e+=("$(segd_rate "tput$run" 7d)")
  e2e_norefit+=("$(segd_rate "tput-norefit$run" off)")
  echo "run $run: raw ${raw[-1]}/s (with segd's fetch.max.bytes ${raw_capped[-1]}/s), segd" \
    "${e2e[-1]}/s, with refits off ${e2e_norefit[-1]}/s (assignment -> end)" >&2
  if [[ -n "$base" ]]; then
    base_e2e+=("$(segd_rate "base$run" 7d "$base")")
    base_norefit+=("$(segd_rate "base-norefit$run" off "$base")")
    echo "run $run: base segd ${base_e2e[-1]}/s, with refits off ${base_norefit[-1]}/s" >&2
  fi
done

lat_p50=() lat_p99=() lat_rate=()
write_config latency lat-events lat-changes bench-latency
for run in $(seq "$runs"); do
  "$build/bin/segd" --config "$work/latency.yaml" 2>"$work/segd-lat$run.log" &
  segd_pid=$!
  for _ in $(seq 300); do grep -q 'pipeline: assigned' "$work/segd-lat$run.log" && break; sleep 0.1; done
  out=$("$python" bench/e2e/latency.py "$bootstrap" lat-events lat-changes 20000 20 3 "r$run")
  kill -TERM "$segd_pid"
  wait "$segd_pid"
  segd_pid=""
  echo "latency run $run: $out" >&2
  lat_p50+=("$(sed -E 's/.*"p50_ms": ([0-9.]+).*/\1/' <<<"$out")")
  lat_p99+=("$(sed -E 's/.*"p99_ms": ([0-9.]+).*/\1/' <<<"$out")")
  lat_rate+=("$(sed -E 's/.*"rate": ([0-9]+).*/\1/' <<<"$out")")
done

r=$(printf '%s\n' "${raw[@]}" | median)
rc=$(printf '%s\n' "${raw_capped[@]}" | median)
e=$(printf '%s\n' "${e2e[@]}" | median)
n=$(printf '%s\n' "${e2e_norefit[@]}" | median)
ratio() { awk -v e="$1" -v r="${2:-$r}" 'BEGIN { printf "%.3f", e / r }'; }
printf '| figure (median of %d) | value |\n|---|---|\n' "$runs"
printf '| raw librdkafka consume (kcat), events/s | %s |\n' "$r"
printf '| raw consume with segd'"'"'s fetch.max.bytes (kcat -X fetch.max.bytes=4194304), events/s | %s |\n' "$rc"
printf '| segd end to end (assignment -> end, output drained), events/s | %s |\n' "$e"
printf '| ratio segd / raw consume | %s |\n' "$(ratio "$e")"
printf '| ratio segd / raw consume with segd'"'"'s fetch.max.bytes | %s |\n' "$(ratio "$e" "$rc")"
printf '| segd end to end with model refits off, events/s | %s |\n' "$n"
printf '| ratio with refits off / raw consume | %s |\n' "$(ratio "$n")"
printf '| ratio with refits off / raw consume with segd'"'"'s fetch.max.bytes | %s |\n' "$(ratio "$n" "$rc")"
printf '| latency producer rate achieved, events/s | %s |\n' "$(printf '%s\n' "${lat_rate[@]}" | median)"
printf '| produce -> SegmentChange p50, ms | %s |\n' "$(printf '%s\n' "${lat_p50[@]}" | median)"
printf '| produce -> SegmentChange p99, ms | %s |\n' "$(printf '%s\n' "${lat_p99[@]}" | median)"
if [[ -n "$base" ]]; then
  be=$(printf '%s\n' "${base_e2e[@]}" | median)
  bn=$(printf '%s\n' "${base_norefit[@]}" | median)
  printf '| base build: segd end to end, events/s | %s |\n' "$be"
  printf '| base build: with model refits off, events/s | %s |\n' "$bn"
  awk -v e="$e" -v be="$be" -v n="$n" -v bn="$bn" 'BEGIN {
    printf "| this / base, with refits | %.2f |\n| this / base, refits off | %.2f |\n", e / be, n / bn
  }'
fi
