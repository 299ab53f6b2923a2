#!/usr/bin/env bash
# End-to-end check of segd-devbroker with third-party clients: kcat produces and python3's
# confluent_kafka consumes, then the reverse; also drives the broker through its control FIFO.
# Usage: bash devbroker_clients.sh BIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/devbroker.sh"

bin_dir=${1:?usage: devbroker_clients.sh BIN_DIR}
python=/usr/bin/python3  # Debian's python3 sees python3-confluent-kafka; a pyenv shim may not.
count=2000
work=$(mktemp -d -t segd-e2e-devbroker-XXXXXX)
broker_pid=""

cleanup() {
  stop_process "$broker_pid" 5
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- broker log:" >&2
  cat "$work/broker.log" >&2 || true
  exit 1
}

command -v kcat >/dev/null || fail "kcat not installed"
"$python" -c 'import confluent_kafka' || fail "python3-confluent-kafka not installed"

mkfifo "$work/control"
start_devbroker "$bin_dir" "$work" "$work/replies" --brokers 3 --topic e2e-a:3 --topic e2e-b:3 \
  --control "$work/control"
echo "segd-devbroker at $bootstrap"

# Control FIFO: each command is answered on the broker's stdout.
control() {
  local before
  before=$(wc -l <"$work/replies")
  echo "$1" >"$work/control"
  for _ in $(seq 50); do
    (($(wc -l <"$work/replies") > before)) && break
    sleep 0.1
  done
  tail -n1 "$work/replies"
}
[[ $(control "rtt 2 1") == ok ]] || fail "rtt command"
[[ $(control "no-such-command") == error:* ]] || fail "bad command not rejected"

# 1. kcat produces keyed messages, confluent_kafka reads them back.
seq 1 "$count" | awk '{ printf "c%d:{\"customer_id\":\"c%d\",\"n\":%d}\n", $1 % 97, $1 % 97, $1 }' \
  >"$work/in-a.txt"
timeout 30 kcat -P -b "$bootstrap" -t e2e-a -K: -l "$work/in-a.txt" || fail "kcat produce"

read_python() {
  timeout 30 "$python" - "$bootstrap" "$1" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic = sys.argv[1], sys.argv[2]
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "e2e-reader",
              "enable.auto.commit": False, "enable.partition.eof": True})
partitions = c.list_topics(topic, timeout=10).topics[topic].partitions
c.assign([TopicPartition(topic, p, -2) for p in partitions])  # -2: OFFSET_BEGINNING
done, rows = set(), 0
while len(done) < len(partitions):
    m = c.poll(1.0)
    if m is None:
        continue
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            done.add(m.partition())
            continue
        raise SystemExit(f"consume error: {m.error()}")
    key, value = (m.key() or b"").decode(), m.value().decode()
    if f'"customer_id":"{key}"' not in value:
        raise SystemExit(f"key {key!r} does not match {value!r}")
    rows += 1
c.close()
print(rows)
PY
}
got=$(read_python e2e-a) || fail "python consume of e2e-a"
[[ "$got" == "$count" ]] || fail "e2e-a: produced $count with kcat, python read $got"
echo "kcat -> python: $got messages"

# 2. confluent_kafka produces (one broker down for part of it), kcat reads them back.
# Messages for broker 2's partitions wait while it is down and must all arrive after broker-up.
[[ $(control "broker-down 2") == ok ]] || fail "broker-down"
timeout 60 "$python" - "$bootstrap" "$count" >"$work/produce.out" 2>&1 <<'PY' &
import sys, time
from confluent_kafka import Producer
bootstrap, count = sys.argv[1], int(sys.argv[2])
p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
              "partitioner": "murmur2_random", "reconnect.backoff.max.ms": 1000})
failed = []
for i in range(count):
    key = f"c{i % 97}"
    p.produce("e2e-b", key=key, value=f'{{"customer_id":"{key}","n":{i}}}',
              on_delivery=lambda err, msg: failed.append(err) if err else None)
    p.poll(0)
left = p.flush(30)
if left or failed:
    raise SystemExit(f"undelivered={left} failed={len(failed)}")
PY
producer_pid=$!
sleep 1.5
[[ $(control "broker-up 2") == ok ]] || fail "broker-up"
wait "$producer_pid" || fail "python produce: $(cat "$work/produce.out")"
timeout 30 kcat -C -b "$bootstrap" -t e2e-b -o beginning -e -q -f '%k %s\n' >"$work/out-b.txt" ||
  fail "kcat consume"
# Count distinct records: the mock does not deduplicate an idempotent producer's retries after a
# dropped connection (it checks sequences only for transactional producers), a real broker would.
got=$(sort -u "$work/out-b.txt" | wc -l)
[[ "$got" == "$count" ]] || fail "e2e-b: produced $count with python, kcat read $got distinct"
echo "python -> kcat: $got messages"

[[ $(control "quit") == ok ]] || fail "quit"
for _ in $(seq 50); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$broker_pid" 2>/dev/null; then fail "broker still running after quit"; fi
wait "$broker_pid" || fail "broker exit code $?"
broker_pid=""
echo "PASS"
