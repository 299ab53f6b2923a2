#!/usr/bin/env bash
# Checks the deploy/ files with their own tools: promtool for the Prometheus config and alert
# rules (and unit tests of the alerts), python3 for the Grafana dashboard JSON and the k8s YAML,
# segd itself for the segd.yaml in the k8s ConfigMap.
# Usage: bash promtool_deploy.sh BIN_DIR
set -euo pipefail

bin=${1:?usage: promtool_deploy.sh BIN_DIR}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deploy="$repo/deploy"
python=/usr/bin/python3
work=$(mktemp -d -t segd-e2e-deploy-XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

command -v promtool >/dev/null || fail "promtool not installed (Debian package prometheus)"

promtool check config "$deploy/prometheus/prometheus.yml" || fail "promtool check config"
promtool check rules "$deploy/prometheus/alerts.yml" || fail "promtool check rules"

# Alert behaviour on synthetic series: the outbox-stuck and dead-letter alerts must fire, and
# must not fire on a healthy instance.
cat >"$work/alerts_test.yml" <<YAML
rule_files:
  - $deploy/prometheus/alerts.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'segd_outbox_pending{job="segd",instance="a"}'
        values: '5x30'
      - series: 'segd_outbox_published_total{job="segd",instance="a"}'
        values: '100x30'
      - series: 'segd_outbox_pending{job="segd",instance="b"}'
        values: '5x30'
      - series: 'segd_outbox_published_total{job="segd",instance="b"}'
        values: '0+10x30'
      - series: 'segd_events_consumed_total{job="segd",instance="a",topic="clicks"}'
        values: '0+100x30'
      - series: 'segd_events_dead_lettered_total{job="segd",instance="a",topic="clicks",reason="bad_json"}'
        values: '0+10x30'
      - series: 'segd_ready{job="segd",instance="a"}'
        values: '1x30'
      - series: 'segd_input_lost_to_retention_total{job="segd",instance="a",topic="clicks"}'
        values: '0x10 120x20'
      - series: 'segd_rules_reloads_total{job="segd",instance="a",result="rejected"}'
        values: '0x10 1x20'
      - series: 'segd_rules_reloads_total{job="segd",instance="b",result="rejected"}'
        values: '0x30'
      - series: 'segd_rules_reloads_total{job="segd",instance="b",result="applied"}'
        values: '0x10 1x20'
      - series: 'segd_input_lost_to_retention_total{job="segd",instance="b",topic="clicks"}'
        values: '0x30'
      # Down for an hour, and the loss counted before the first sample after the restart.
      - series: 'segd_input_lost_to_retention_total{job="segd",instance="c",topic="clicks"}'
        values: '0x10 _x60 34244x20'
      # Its first sample ever already counts a loss.
      - series: 'segd_input_lost_to_retention_total{job="segd",instance="d",topic="clicks"}'
        values: '_x10 500x20'
      # A loss in the first sample, and no more: it alerts while the series is new (12m), not
      # once it is 15 minutes old (28m).
      - series: 'segd_input_lost_to_retention_total{job="segd",instance="e",topic="clicks"}'
        values: '7x40'
    alert_rule_test:
      - eval_time: 20m
        alertname: SegdOutboxStuck
        exp_alerts:
          - exp_labels: {severity: critical, job: segd, instance: a}
            exp_annotations:
              summary: "segd a is not publishing segment changes"
              description: "5 changes are pending in the outbox and none were delivered for 15 minutes; check the output topic and broker."
      - eval_time: 20m
        alertname: SegdDeadLetterRateHigh
        exp_alerts:
          - exp_labels: {severity: warning, instance: a}
            exp_annotations:
              summary: "More than 1% of segd input goes to the dead-letter topic"
              description: "Dead-letter ratio is 10%; check reasons in segd_events_dead_lettered_total."
      - eval_time: 20m
        alertname: SegdNotReady
        exp_alerts: []
      - eval_time: 12m
        alertname: SegdInputLostToRetention
        exp_alerts:
          - exp_labels: {severity: critical, instance: a, topic: clicks}
            exp_annotations:
              summary: "segd a lost input on clicks to retention"
              description: "The broker removed 120 messages of clicks before segd read them; the state misses their events. Raise the topic's retention or segd's throughput, and consider a backfill."
          - exp_labels: {severity: critical, instance: d, topic: clicks}
            exp_annotations:
              summary: "segd d lost input on clicks to retention"
              description: "The broker removed 500 messages of clicks before segd read them; the state misses their events. Raise the topic's retention or segd's throughput, and consider a backfill."
          - exp_labels: {severity: critical, instance: e, topic: clicks}
            exp_annotations:
              summary: "segd e lost input on clicks to retention"
              description: "The broker removed 7 messages of clicks before segd read them; the state misses their events. Raise the topic's retention or segd's throughput, and consider a backfill."
      - eval_time: 28m
        alertname: SegdInputLostToRetention
        exp_alerts: []
      - eval_time: 12m
        alertname: SegdRulesReloadRejected
        exp_alerts:
          - exp_labels: {severity: warning, job: segd, instance: a, result: rejected}
            exp_annotations:
              summary: "segd a rejected a rules reload"
              description: "A reload of the rules file was rejected and segd keeps its current rules (the reason is in its log, component rules); fix the file and reload again."
      - eval_time: 28m
        alertname: SegdRulesReloadRejected
        exp_alerts: []
      - eval_time: 75m
        alertname: SegdInputLostToRetention
        exp_alerts:
          - exp_labels: {severity: critical, instance: c, topic: clicks}
            exp_annotations:
              summary: "segd c lost input on clicks to retention"
              description: "The broker removed 34.24k messages of clicks before segd read them; the state misses their events. Raise the topic's retention or segd's throughput, and consider a backfill."
YAML
promtool test rules "$work/alerts_test.yml" || fail "promtool test rules"

"$python" -m json.tool "$deploy/grafana/segd-dashboard.json" >/dev/null || fail "dashboard is not valid JSON"
"$python" - "$deploy" "$work" <<'PY' || fail "k8s manifests"
import sys, yaml, pathlib
deploy = pathlib.Path(sys.argv[1])
kinds = {}
for f in sorted((deploy / "k8s").glob("*.yaml")):
    for doc in yaml.safe_load_all(f.read_text()):
        kinds[doc["kind"]] = doc
assert {"StatefulSet", "ConfigMap", "Service"} <= kinds.keys(), kinds.keys()
for key in ("segd.yaml", "segments.yaml"):
    yaml.safe_load(kinds["ConfigMap"]["data"][key])
assert kinds["Service"]["spec"]["clusterIP"] == "None"
c = kinds["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
assert any(m["mountPath"] == "/var/lib/segd" for m in c["volumeMounts"])
(pathlib.Path(sys.argv[2]) / "segd.yaml").write_text(kinds["ConfigMap"]["data"]["segd.yaml"])
PY
# segd accepts the ConfigMap's configuration (every key known, every value valid).
"$bin/segd" --config "$work/segd.yaml" --print-config >/dev/null || fail "the ConfigMap's segd.yaml"
echo "deploy files OK"
