#!/usr/bin/env bash
# End-to-end: segd between third-party Kafka clients. kcat produces the events (murmur2_random
# partitioner, key = customer_id, so they are co-partitioned as segd requires), segd consumes them
# to the end (--exit-at-end), and python3's confluent_kafka reads segment-changes. The published
# SegmentChanges (deduplicated by event_id) must equal `segctl replay --partitions 4` line for line,
# with key = customer_id and headers segment/change/model_version matching the JSON; segd's
# exported state must equal the replay's byte for byte.
# Usage: bash third_party_clients.sh BIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/devbroker.sh"

bin_dir=${1:?usage: third_party_clients.sh BIN_DIR}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=/usr/bin/python3  # Debian's python3 sees python3-confluent-kafka; a pyenv shim may not.
partitions=4
events=20000
work=$(mktemp -d -t segd-e2e-clients-XXXXXX)
broker_pid=""

cleanup() {
  stop_process "$broker_pid" 5
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in segd.log broker.log; do
    [[ -f "$work/$log" ]] && { echo "--- $log (tail):" >&2; tail -n 30 "$work/$log" >&2; }
  done
  exit 1
}

command -v kcat >/dev/null || fail "kcat not installed"
"$python" -c 'import confluent_kafka' || fail "python3-confluent-kafka not installed"

start_devbroker "$bin_dir" "$work" /dev/null --brokers 1 --topic "events:$partitions" \
  --topic "segment-changes:$partitions" --topic "segd-dead-letters:$partitions"

# 1. Events, and the offline reference.
"$bin_dir/segctl" gen --customers 2000 --events "$events" --seed 31 --output "$work/events.jsonl" \
  2>/dev/null || fail "segctl gen"
"$bin_dir/segctl" replay --input "$work/events.jsonl" --state-dir "$work/replay-state" \
  --rules "$source_dir/config/segments.yaml" --partitions "$partitions" \
  --output "$work/replay.jsonl" 2>/dev/null || fail "segctl replay"
"$bin_dir/segctl" export --state-dir "$work/replay-state" >"$work/replay-export.jsonl" ||
  fail "segctl export (replay)"

# 2. kcat produces KEY<TAB>VALUE lines; the key is the event's customer_id.
sed -E 's/^(.*"customer_id":"([^"]*)".*)$/\2\t\1/' "$work/events.jsonl" >"$work/keyed.txt"
[[ $(grep -c $'\t' "$work/keyed.txt") == "$events" ]] || fail "an event without customer_id"
timeout 60 kcat -P -b "$bootstrap" -t events -K $'\t' -l \
  -X partitioner=murmur2_random -X enable.idempotence=true "$work/keyed.txt" ||
  fail "kcat produce"

# 3. segd consumes everything and exits.
cat >"$work/segd.yaml" <<EOF
kafka:
  brokers: "$bootstrap"
  group_id: segd-e2e
  session_timeout_ms: 6000
  input_topics:
    - name: events
      format: json
  rdkafka:
    reconnect.backoff.max.ms: "1000"
state:
  dir: $work/segd-state
rules:
  file: $source_dir/config/segments.yaml
admin:
  listen: 127.0.0.1:0
models:
  refit_every: "off"  # compared with a replay, which does not reproduce live refits
EOF
env -u SEGD_CONFIG timeout 180 "$bin_dir/segd" --config "$work/segd.yaml" --exit-at-end \
  2>"$work/segd.log" || fail "segd --exit-at-end exited $?"
summary=$(grep '^segd: summary ' "$work/segd.log" | tail -n1)
[[ -n "$summary" ]] || fail "no 'segd: summary' line"
echo "$summary"
[[ "$summary" == *"\"consumed\":$events,"* ]] || fail "segd did not consume all $events events"

# 4. confluent_kafka reads the output: contract checks, dedup by event_id.
timeout 60 "$python" - "$bootstrap" "$partitions" >"$work/live.jsonl" 2>"$work/reader.err" <<'PY' ||
import json, sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, partitions = sys.argv[1], int(sys.argv[2])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "e2e-changes-reader",
              "enable.auto.commit": False, "enable.partition.eof": True})
c.assign([TopicPartition("segment-changes", p, -2) for p in range(partitions)])
done, first, problems = set(), {}, []
while len(done) < partitions:
    m = c.poll(1.0)
    if m is None:
        continue
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            done.add(m.partition())
            continue
        raise SystemExit(f"consume error: {m.error()}")
    raw = m.value().decode()
    change = json.loads(raw)
    headers = {k: v.decode() for k, v in (m.headers() or [])}
    if (m.key() or b"").decode() != change["customer_id"]:
        problems.append(f"key {m.key()!r} != customer_id in {raw}")
    for name in ("segment", "change", "model_version"):
        if headers.get(name) != str(change[name]):
            problems.append(f"header {name}={headers.get(name)!r}, JSON has {change[name]!r}")
    seen = first.setdefault(change["event_id"], raw)
    if seen != raw:
        problems.append(f"duplicate {change['event_id']} differs: {seen} vs {raw}")
c.close()
if problems:
    raise SystemExit("\n".join(problems[:20]))
print("\n".join(sorted(first.values())))
PY
  fail "reading segment-changes: $(cat "$work/reader.err")"

LC_ALL=C sort "$work/replay.jsonl" >"$work/replay.sorted"
LC_ALL=C sort "$work/live.jsonl" >"$work/live.sorted"
if ! diff -q "$work/replay.sorted" "$work/live.sorted" >/dev/null; then
  diff "$work/replay.sorted" "$work/live.sorted" | head -n 6 >&2
  fail "published SegmentChanges (dedup by event_id) differ from segctl replay" \
    "($(wc -l <"$work/replay.sorted") expected, $(wc -l <"$work/live.sorted") published)"
fi
"$bin_dir/segctl" export --state-dir "$work/segd-state" >"$work/segd-export.jsonl" ||
  fail "segctl export (segd)"
cmp -s "$work/replay-export.jsonl" "$work/segd-export.jsonl" ||
  fail "segctl export of segd's state differs from the replay's"
echo "PASS: $(wc -l <"$work/live.sorted") SegmentChanges match segctl replay"
