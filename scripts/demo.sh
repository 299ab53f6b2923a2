#!/usr/bin/env bash
# The segd demo: installs what is missing (Debian 12, as root), builds, starts a local Kafka-
# protocol broker (librdkafka's mock cluster), the segd daemon and a live feed of segment changes,
# streams generated click and purchase events into it, and prints a summary at the end.
# Usage: scripts/demo.sh [--customers N] [--events M]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/devbroker.sh
fail() { echo "demo: $*" >&2; exit 1; }
customers=1500
events=30000
while [ $# -gt 0 ]; do
  case $1 in
    --customers) customers=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $1" >&2; exit 2 ;;
  esac
done

scripts/deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target segd segctl segd-devbroker
bin=$build/bin

work=$(mktemp -d /tmp/segd-demo.XXXXXX)
pids=()  # segd and the feed, once started; the broker is broker_pid (set as it starts)
broker_pid=
cleanup() {
  # The newest first, the broker last: segd drains its outbox to the broker as it stops. Only
  # these are waited for (a bare `wait` also waited for a broker that failed to start, forever).
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_process "${pids[i]}" 40; done
  stop_process "$broker_pid" 10
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the local broker"
start_devbroker "$bin" "$work" /dev/null --brokers 1 --topic clicks:4 --topic purchases:4 \
  --topic segment-changes:4 --topic segd-dead-letters:1
brokers=$bootstrap
echo "   broker at $brokers"

echo "== generating $events events for $customers customers"
"$bin/segctl" gen --customers "$customers" --events "$events" --seed 42 --days 60 --bad-rate 0.01 \
  --output "$work/events.jsonl" 2>/dev/null
grep -E '"type":"(purchase|refund)"' "$work/events.jsonl" >"$work/purchases.jsonl" || true
grep -vE '"type":"(purchase|refund)"' "$work/events.jsonl" >"$work/clicks.jsonl" || true

admin_port=9464
if (exec 3<>"/dev/tcp/127.0.0.1/$admin_port") 2>/dev/null; then admin_port=19464; fi
cat >"$work/segd.yaml" <<YAML
kafka:
  brokers: "$brokers"
  group_id: segd-demo
  input_topics: [{name: clicks}, {name: purchases}]
  session_timeout_ms: 6000
state:
  dir: $work/state
rules:
  file: $PWD/config/segments.yaml
admin:
  listen: 127.0.0.1:$admin_port
YAML

echo "== starting segd (rules: config/segments.yaml)"
"$bin/segd" --config "$work/segd.yaml" 2>"$work/segd.log" &
segd_pid=$!
pids+=($segd_pid)

# The live feed: segment changes as they are published. kcat is the process to stop: the
# formatter then reads to its end and exits.
kcat -b "$brokers" -C -t segment-changes -o beginning -q -u -f '%s\n' 2>/dev/null \
  > >(tee "$work/changes.jsonl" | /usr/bin/python3 -u scripts/demo_format.py feed) &
pids+=($!)

echo "   metrics:      http://127.0.0.1:$admin_port/metrics"
echo "   customer API: http://127.0.0.1:$admin_port/v1/customers/c0001"
echo "   segments:     http://127.0.0.1:$admin_port/v1/segments"
echo "== streaming events (live feed below: time, customer, change, segment, cause, deciding values)"
# Both topics advance through event time together (stream time is the max over both).
split -n l/50 -a 2 -d "$work/clicks.jsonl" "$work/clicks.part."
split -n l/50 -a 2 -d "$work/purchases.jsonl" "$work/purchases.part."
for i in $(seq -w 0 49); do
  "$bin/segctl" produce --brokers "$brokers" --topic clicks --input "$work/clicks.part.$i" 2>/dev/null
  "$bin/segctl" produce --brokers "$brokers" --topic purchases --input "$work/purchases.part.$i" 2>/dev/null
  sleep 0.2
done

sleep 5
echo "== stopping segd (SIGTERM: finish the batch, drain the outbox, commit)"
if ! kill -TERM "$segd_pid" 2>/dev/null; then
  echo "segd is not running; its log:" >&2
  tail -n 20 "$work/segd.log" >&2
  exit 1
fi
wait "$segd_pid" || true
sleep 1
echo
echo "== summary"
/usr/bin/python3 scripts/demo_format.py summary "$work/segd.log"
/usr/bin/python3 scripts/demo_format.py segments "$work/changes.jsonl"
