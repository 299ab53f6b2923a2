#!/usr/bin/env bash
# End to end: a real Prometheus scrapes a real segd that consumes generated events from the dev
# broker. Passes when Prometheus's query API reports processed events and segment-size series,
# the page passes `promtool check metrics`, and segd exits cleanly on SIGTERM.
# Usage: bash prometheus_scrape.sh BIN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/devbroker.sh"

bin_dir=${1:?usage: prometheus_scrape.sh BIN_DIR}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=/usr/bin/python3
topic=clicks
work=$(mktemp -d -t segd-e2e-prometheus-XXXXXX)
broker_pid="" segd_pid="" prom_pid=""

cleanup() {
  stop_process "$prom_pid" 10
  stop_process "$segd_pid" 60
  stop_process "$broker_pid" 10
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in broker segd prometheus; do
    echo "--- $log log (last 30 lines):" >&2
    tail -n 30 "$work/$log.log" >&2 2>/dev/null || true
  done
  exit 1
}

# Runs a PromQL query and prints the sum of the returned sample values and the series count.
prom_query() {
  curl -fsS --max-time 5 --get --data-urlencode "query=$1" \
    "http://127.0.0.1:$prom_port/api/v1/query" 2>/dev/null |
    "$python" -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
except ValueError:  # Prometheus not up yet: no body.
    r = []
print(sum(float(s["value"][1]) for s in r), len(r))'
}

for tool in "$bin_dir/segd-devbroker" "$bin_dir/segctl" "$bin_dir/segd"; do
  [[ -x "$tool" ]] || fail "$tool not built"
done
command -v prometheus >/dev/null || fail "prometheus not installed (Debian package prometheus)"
command -v promtool >/dev/null || fail "promtool not installed"
command -v curl >/dev/null || fail "curl not installed"

# 1. Broker and input.
start_devbroker "$bin_dir" "$work" "$work/broker.out" --brokers 1 --topic "$topic:4"

timeout 120 "$bin_dir/segctl" gen --customers 2000 --events 40000 --seed 1 --output "$work/events.jsonl" \
  || fail "segctl gen"
timeout 120 "$bin_dir/segctl" produce --brokers "$bootstrap" --topic "$topic" --input "$work/events.jsonl" \
  || fail "segctl produce"

# 2. segd.
admin_port=$(free_port)
cat >"$work/segd.yaml" <<YAML
kafka:
  brokers: "$bootstrap"
  group_id: segd-e2e-prometheus
  input_topics:
    - name: $topic
      format: json
  session_timeout_ms: 6000
  rdkafka:
    reconnect.backoff.max.ms: "1000"
state:
  dir: $work/state
rules:
  file: $repo/config/segments.yaml
log:
  level: info
YAML
"$bin_dir/segd" --config "$work/segd.yaml" --admin.listen="127.0.0.1:$admin_port" \
  </dev/null >"$work/segd.out" 2>"$work/segd.log" &
segd_pid=$!
healthy=""
for _ in $(seq 150); do
  kill -0 "$segd_pid" 2>/dev/null || fail "segd exited during startup"
  if curl -fsS --max-time 2 "http://127.0.0.1:$admin_port/healthz" >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  sleep 0.2
done
[[ -n "$healthy" ]] || fail "segd /healthz did not answer within 30 s"

# 3. Prometheus scraping segd every second.
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: segd
    scrape_interval: 1s
    scrape_timeout: 1s
    static_configs:
      - targets: ["127.0.0.1:$admin_port"]
YAML
promtool check config "$work/prometheus.yml" >/dev/null || fail "generated prometheus.yml invalid"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" </dev/null >"$work/prometheus.log" 2>&1 &
prom_pid=$!

# 4. Wait (bounded) until Prometheus has processed events and segment sizes from segd.
processed=0 members=0
for _ in $(seq 120); do
  kill -0 "$segd_pid" 2>/dev/null || fail "segd died while being scraped"
  kill -0 "$prom_pid" 2>/dev/null || fail "prometheus died"
  read -r processed _ < <(prom_query 'sum(segd_events_processed_total)' || echo "0 0")
  read -r _ members < <(prom_query 'segd_segment_members' || echo "0 0")
  if "$python" -c "import sys; sys.exit(0 if float('$processed') > 0 and int('$members') > 0 else 1)"; then
    break
  fi
  sleep 1
done
echo "prometheus sees segd_events_processed_total=$processed, segd_segment_members series=$members"
"$python" -c "import sys; sys.exit(0 if float('$processed') > 0 else 1)" \
  || fail "segd_events_processed_total never became positive in Prometheus (120 s)"
(( members > 0 )) || fail "no segd_segment_members series in Prometheus (120 s)"

read -r up _ < <(prom_query 'up{job="segd"}' || echo "0 0")
[[ "$up" == 1* ]] || fail "Prometheus reports the segd target down (up=$up)"

# 5. The page itself is lint-clean.
curl -fsS --max-time 5 "http://127.0.0.1:$admin_port/metrics" >"$work/metrics.txt" || fail "GET /metrics"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 \
  || { cat "$work/promtool.out" >&2; fail "promtool check metrics"; }
[[ ! -s "$work/promtool.out" ]] || { cat "$work/promtool.out" >&2; fail "promtool lint warnings"; }

# 6. Orderly shutdown: segd must exit 0 on SIGTERM within 60 s.
kill -TERM "$segd_pid"
segd_rc=""
for _ in $(seq 600); do
  if ! kill -0 "$segd_pid" 2>/dev/null; then
    set +e
    wait "$segd_pid"
    segd_rc=$?
    set -e
    break
  fi
  sleep 0.1
done
[[ -n "$segd_rc" ]] || fail "segd did not stop within 60 s of SIGTERM"
segd_pid=""
[[ "$segd_rc" == 0 ]] || fail "segd exited with $segd_rc after SIGTERM"
echo "prometheus scrape e2e OK"
