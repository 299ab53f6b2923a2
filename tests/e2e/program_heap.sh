#!/usr/bin/env bash
# segd and segctl allocate through tcmalloc (the build's default, SEGD_TCMALLOC): in both, the
# dynamic loader binds every object's `malloc` to libtcmalloc_minimal, none to glibc's, and segd's
# hand-back of free pages after a model refit (once caught up) binds to tcmalloc's
# MallocExtension_ReleaseFreeMemory (with glibc it calls malloc_trim instead). Built with
# -DSEGD_TCMALLOC=OFF (PROGRAM_HEAP=glibc), the reverse: glibc's malloc everywhere and no tcmalloc
# loaded.
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
echo "program_heap: ok ($heap)"
