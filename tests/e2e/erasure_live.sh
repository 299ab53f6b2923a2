#!/usr/bin/env bash
# GDPR erasure against the live daemon while the customer keeps receiving events: a DELETE
# without the token is refused (401); with it, the customer's segments are exited with cause
# `erasure` (published to segment-changes), an audit line is logged, and later events start a
# fresh customer (its orders count only what came after the erasure).
# Usage: bash erasure_live.sh BIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/devbroker.sh"

bin_dir=${1:?usage: erasure_live.sh BIN_DIR}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=/usr/bin/python3
work=$(mktemp -d -t segd-e2e-erasure-XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  [[ -f "$work/segd.log" ]] && { echo "--- segd.log (tail):" >&2; tail -n 30 "$work/segd.log" >&2; }
  exit 1
}

start_devbroker "$bin_dir" "$work" /dev/null --brokers 1 --topic events:4 \
  --topic segment-changes:4 --topic segd-dead-letters:1
pids+=("$broker_pid")

"$bin_dir/segctl" gen --customers 300 --events 30000 --seed 5 --days 60 \
  --output "$work/events.jsonl" 2>/dev/null || fail "segctl gen"
head -n 15000 "$work/events.jsonl" >"$work/first.jsonl"
tail -n +15001 "$work/events.jsonl" >"$work/second.jsonl"
"$bin_dir/segctl" produce --brokers "$bootstrap" --topic events --input "$work/first.jsonl" \
  2>/dev/null || fail "produce first half"

port=$(free_port)
cat >"$work/segd.yaml" <<YAML
kafka:
  brokers: "$bootstrap"
  group_id: erasure
  input_topics: [{name: events}]
  session_timeout_ms: 6000
state:
  dir: $work/state
rules:
  file: $source_dir/config/segments.yaml
admin:
  listen: 127.0.0.1:$port
YAML
SEGD_ADMIN_TOKEN=s3cret "$bin_dir/segd" --config "$work/segd.yaml" 2>"$work/segd.log" &
segd_pid=$!
pids+=($segd_pid)
api="http://127.0.0.1:$port"
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$api/readyz") == 200 ]] && break
  kill -0 "$segd_pid" 2>/dev/null || fail "segd exited"
  sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$api/readyz") == 200 ]] || fail "segd not ready"

# The most active customer that is in at least one segment.
victim=$("$python" - "$api" "$work/first.jsonl" <<'PY'
import collections, json, sys, urllib.request
api, path = sys.argv[1], sys.argv[2]
counts = collections.Counter()
for line in open(path):
    try:
        counts[json.loads(line)["customer_id"]] += 1
    except Exception:
        pass
for cid, _ in counts.most_common(50):
    try:
        c = json.load(urllib.request.urlopen(f"{api}/v1/customers/{cid}"))
    except Exception:
        continue
    if c["segments"]:
        print(cid)
        break
PY
)
[[ -n "$victim" ]] || fail "no customer with segments"

# Load: the second half streams in while the customer is erased.
"$bin_dir/segctl" produce --brokers "$bootstrap" --topic events --input "$work/second.jsonl" \
  2>/dev/null &
producer=$!
[[ $(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$api/v1/customers/$victim") == 401 ]] ||
  fail "DELETE without a token was not refused"
curl -s -X DELETE -H "Authorization: Bearer s3cret" "$api/v1/customers/$victim" >"$work/erased.json"
wait "$producer" || fail "produce second half"
"$python" - "$work/erased.json" "$victim" <<'PY' || fail "erasure answer: $(cat "$work/erased.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["customer_id"] == sys.argv[2] and r["existed"] and r["exited_segments"], r
PY

for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$api/readyz") == 200 ]] && break
  sleep 0.1
done
sleep 1
kill -TERM "$segd_pid"
wait "$segd_pid" || fail "segd did not stop cleanly"
grep -q "audit: erased customer '$victim'" "$work/segd.log" || fail "no audit line"

kcat -b "$bootstrap" -C -t segment-changes -o beginning -e -q -f '%s\n' >"$work/changes.jsonl" 2>/dev/null
"$python" - "$work/changes.jsonl" "$work/erased.json" "$work/second.jsonl" "$victim" \
  "$bin_dir/segctl" "$work/state" <<'PY' || fail "published changes or state after erasure"
import json, subprocess, sys
changes, erased, second, victim, segctl, state = sys.argv[1:]
exited = set(json.load(open(erased))["exited_segments"])
seen = set()
for line in open(changes):
    c = json.loads(line)
    if c["customer_id"] == victim and c["cause"]["kind"] == "erasure":
        assert c["change"] == "exit", c
        seen.add(c["segment"])
assert seen == exited, (seen, exited)
# Later events started a fresh customer: at most the purchases of the second half are counted.
later = sum(1 for l in open(second) if f'"customer_id":"{victim}"' in l and '"type":"purchase"' in l)
out = subprocess.run([segctl, "inspect", "--state-dir", state, victim], capture_output=True, text=True)
if out.returncode == 0:
    orders = json.loads(out.stdout)["features"]["orders_total"]
    assert orders <= later, (orders, later)
PY
echo "erasure_live: ok (erased $victim while it received events)"
