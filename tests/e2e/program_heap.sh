#!/usr/bin/env bash
# segd and segctl allocate through tcmalloc (the build's default, SEGD_TCMALLOC): in both, the
# dynamic loader binds every object's `malloc` to libtcmalloc_minimal, none to glibc's, and segd's
# hand-back of free pages after a model refit (once caught up) binds to tcmalloc's
# MallocExtension_ReleaseFreeMemory (with glibc it calls malloc_trim instead). Built with
# -DSEGD_TCMALLOC=OFF (PROGRAM_HEAP=glibc), the reverse: glibc's malloc everywhere and no tcmalloc
# loaded.
# With tcmalloc, the memory a running replay took for its heap is advised for transparent huge
# pages (`hg` in its VmFlags, service/common/allocator.cc), and where the system allows them
# (/sys/kernel/mm/transparent_hugepage/enabled not `never`) some of it is backed by them.
# Usage: bash program_heap.sh BIN_DIR
set -euo pipefail

bin=${1:?usage: program_heap.sh BIN_DIR}
if [[ "${SANITIZED_BUILD:-0}" == 1 ]]; then
  echo "skipped: a sanitized build allocates through the sanitizers' runtime"
  exit 0
fi
heap=${PROGRAM_HEAP:-tcmalloc}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# LD_DEBUG=bindings prints "binding file A [0] to B [0]: normal symbol `NAME' [VERSION]" for
# each symbol NAME that an object A of the process resolves to B; LD_BIND_NOW binds them all at
# start-up, so that `--help` is enough.
for program in segd segctl; do
  trace=$(LD_BIND_NOW=1 LD_DEBUG=bindings "$bin/$program" --help 2>&1 >/dev/null)
  malloc_targets=$(grep -E "normal symbol \`malloc'" <<<"$trace" |
    sed -E 's/.* to ([^ ]+) \[0\].*/\1/' | sort -u)
  [[ -n "$malloc_targets" ]] || fail "$program: the loader bound no malloc (LD_DEBUG output changed?)"
  release=$(grep -E "binding file [^ ]*/$program \[0\] to .*\`MallocExtension_ReleaseFreeMemory'" \
    <<<"$trace" || true)
  case "$heap" in
    tcmalloc)
      others=$(grep -v '/libtcmalloc_minimal\.so' <<<"$malloc_targets" || true)
      [[ -z "$others" ]] || fail "$program: malloc bound to $others, not only to tcmalloc"
      if [[ "$program" == segd && -z "$release" ]]; then
        fail "segd: MallocExtension_ReleaseFreeMemory is not bound (refits would call malloc_trim)"
      fi
      ;;
    glibc)
      others=$(grep -v '/libc\.so' <<<"$malloc_targets" || true)
      [[ -z "$others" ]] || fail "$program: malloc bound to $others, not only to glibc"
      [[ -z "$release" ]] || fail "$program: tcmalloc's release bound without tcmalloc: $release"
      ;;
    *) fail "PROGRAM_HEAP must be tcmalloc or glibc, got '$heap'" ;;
  esac
  echo "$program: malloc from $(tr '\n' ' ' <<<"$malloc_targets")"
done

if [[ "$heap" == tcmalloc ]]; then
  work=$(mktemp -d -t segd-e2e-program-heap-XXXXXX)
  replay_pid=
  cleanup() {
    exec 3>&- || true
    [[ -n "$replay_pid" ]] && kill "$replay_pid" 2>/dev/null
    rm -rf "$work"
  }
  trap cleanup EXIT
  "$bin/segctl" gen --customers 20000 --events 100000 --seed 5 --output "$work/events.jsonl" \
    2>/dev/null
  # The replay reads a FIFO held open here: once it has taken every event it waits for more, its
  # heap grown and still in use, until the FIFO closes.
  mkfifo "$work/input"
  "$bin/segctl" replay --input "$work/input" --state-dir "$work/state" \
    --output "$work/changes.jsonl" 2>"$work/replay.log" &
  replay_pid=$!
  exec 3>"$work/input"
  cat "$work/events.jsonl" >&3
  thp=$(sed -E 's/.*\[([a-z]+)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
    echo unknown)
  advised_kb=0
  huge_kb=0
  for _ in $(seq 600); do  # up to 60 s for the replay to take every event
    # Per mapping: its size and AnonHugePages (kB), then VmFlags; summed over those advised.
    read -r advised_kb huge_kb < <(awk '
      /^[0-9a-f]+-[0-9a-f]+ / { size = 0; huge = 0 }
      /^Size:/ { size = $2 }
      /^AnonHugePages:/ { huge = $2 }
      /^VmFlags:/ { for (i = 2; i <= NF; i++) if ($i == "hg") { advised += size; backed += huge } }
      END { printf "%d %d\n", advised, backed }' "/proc/$replay_pid/smaps" 2>/dev/null ||
      echo "0 0")
    if ((advised_kb >= 2048)) && { [[ "$thp" == never ]] || ((huge_kb > 0)); }; then
      break
    fi
    kill -0 "$replay_pid" 2>/dev/null || fail "segctl replay ended early: $(cat "$work/replay.log")"
    sleep 0.1
  done
  exec 3>&-
  wait "$replay_pid" || fail "segctl replay failed: $(cat "$work/replay.log")"
  replay_pid=
  ((advised_kb >= 2048)) || fail "segctl: no heap memory advised for huge pages"
  if [[ "$thp" != never ]]; then
    ((huge_kb > 0)) || fail "segctl: $advised_kb kB advised, none backed by huge pages ($thp)"
  fi
  echo "segctl: $advised_kb kB of heap advised for huge pages, $huge_kb kB backed by them" \
    "(transparent_hugepage: $thp)"
fi
echo "program_heap: ok ($heap)"
