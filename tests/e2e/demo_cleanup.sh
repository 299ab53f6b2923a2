#!/usr/bin/env bash
# scripts/demo.sh cleans up when its broker does not start: it stops the broker process and
# removes its temp dir, and exits 1. It used to add the broker to the processes it stops only once
# the broker listened, and then wait for every child: a broker that did not come up within 10 s
# hung the demo forever and was left running, with the temp dir. The demo runs here against a
# stand-in broker that never listens (cmake is a no-op stand-in too: nothing is built).
# Usage: bash demo_cleanup.sh BIN_DIR
set -euo pipefail

bin=${1:?usage: demo_cleanup.sh BIN_DIR}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d -t segd-e2e-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

mkdir -p "$work/stub" "$work/build/bin"
printf '#!/bin/sh\nexit 0\n' >"$work/stub/cmake"
ln -s "$bin/segd" "$bin/segctl" "$work/build/bin/"
# A broker that never writes its bootstrap file; its command line names this test's dir.
printf '#!/bin/sh\nexec /usr/bin/python3 -c "import time; time.sleep(300)" "%s"\n' "$work" \
  >"$work/build/bin/segd-devbroker"
chmod +x "$work/stub/cmake" "$work/build/bin/segd-devbroker"

before=$(ls -d /tmp/segd-demo.* 2>/dev/null | sort || true)
start=$(date +%s)
set +e
(cd "$repo" && PATH="$work/stub:$PATH" BUILD_DIR="$work/build" \
  timeout -s KILL 60 bash scripts/demo.sh --customers 10 --events 100) >"$work/demo.out" 2>&1
code=$?
set -e
elapsed=$(($(date +%s) - start))
after=$(ls -d /tmp/segd-demo.* 2>/dev/null | sort || true)
left=$(pgrep -f "import time; time[.]sleep.* $work" || true)
[[ -z "$left" ]] || { kill $left; fail "the stand-in broker was left running (pid $left)"; }
((code == 1)) || fail "demo exited $code, not 1 (137: killed after 60 s, hung): $(cat "$work/demo.out")"
grep -q "demo: no bootstrap file after 10 s" "$work/demo.out" || fail "no reason given: $(cat "$work/demo.out")"
[[ "$before" == "$after" ]] || fail "temp dir left: $(comm -13 <(echo "$before") <(echo "$after"))"
((elapsed < 30)) || fail "took ${elapsed}s"
echo "ok: demo stopped its broker and removed its temp dir in ${elapsed}s"
