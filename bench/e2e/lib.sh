# Shared by bench/e2e/run.sh and bench/e2e/cpu.sh (sourced, not run), after
# scripts/lib/devbroker.sh.

# e2e_setup BUILD_DIR EVENTS WORK_PREFIX [segd-devbroker --topic args...]: makes $work (removed
# on exit, after stopping $segd_pid and $broker_pid), starts the dev broker with `events` (64
# partitions), `segment-changes` (64), `segd-dead-letters` (4) and the extra topics, and produces
# EVENTS generated events (100k customers, seed 3) to `events`.
e2e_setup() {
  local bin=$1/bin events=$2 prefix=$3
  shift 3
  work=$(mktemp -d -t "$prefix-XXXXXX")
  broker_pid=""
  segd_pid=""
  trap 'stop_process "$segd_pid" 30; stop_process "$broker_pid" 10; rm -rf "$work"' EXIT
  start_devbroker "$bin" "$work" /dev/null --brokers 1 --topic events:64 \
    --topic segment-changes:64 --topic segd-dead-letters:4 "$@"
  "$bin/segctl" gen --customers 100000 --events "$events" --seed 3 \
    --output "$work/events.jsonl" 2>/dev/null
  "$bin/segctl" produce --brokers "$bootstrap" --topic events --input "$work/events.jsonl"
}

# write_config NAME INPUT OUTPUT GROUP [REFIT_EVERY] [RDKAFKA_MAP]: $work/NAME.yaml, a segd config
# reading INPUT (JSON) in group GROUP with config/segments.yaml and a fresh state dir, publishing
# to OUTPUT; model refits every REFIT_EVERY (default 7d); RDKAFKA_MAP (a YAML map, default {})
# goes to kafka.rdkafka.
write_config() {
  cat >"$work/$1.yaml" <<EOC
kafka:
  brokers: "$bootstrap"
  group_id: $4
  session_timeout_ms: 6000
  input_topics:
    - name: $2
      format: json
  output_topic: $3
  rdkafka: ${6:-"{}"}
state:
  dir: $work/state-$1
rules:
  file: $PWD/config/segments.yaml
admin:
  listen: 127.0.0.1:0
models:
  refit_every: "${5:-7d}"
EOC
}
