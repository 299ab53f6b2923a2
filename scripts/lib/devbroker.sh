# Shared by the e2e tests, the demo and the end-to-end benchmark (sourced, not run). The caller
# defines fail().

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_process PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL. No-op for an empty or
# finished PID.
stop_process() {
  local pid=$1 seconds=$2
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((seconds * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "pid $pid ignored SIGTERM for ${seconds}s: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# start_devbroker BIN_DIR WORK STDOUT_FILE [segd-devbroker args...]: starts the dev broker in the
# background (stderr to WORK/broker.log, bootstrap file WORK/bootstrap), waits up to 10 s for it to
# listen, and sets broker_pid and bootstrap.
start_devbroker() {
  local bin=$1 dir=$2 out=$3
  shift 3
  "$bin/segd-devbroker" --bootstrap-file "$dir/bootstrap" "$@" </dev/null >"$out" \
    2>"$dir/broker.log" &
  broker_pid=$!
  for _ in $(seq 100); do
    [[ -s "$dir/bootstrap" ]] && break
    kill -0 "$broker_pid" 2>/dev/null || fail "segd-devbroker exited during startup"
    sleep 0.1
  done
  [[ -s "$dir/bootstrap" ]] || fail "no bootstrap file after 10 s"
  bootstrap=$(head -n1 "$dir/bootstrap")
}
