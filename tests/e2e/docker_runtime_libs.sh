#!/usr/bin/env bash
# The Docker image's runtime stage (deploy/docker/Dockerfile) installs every shared library that
# segd and segctl link: each library's Debian package is either one the runtime stage installs, a
# dependency of those (recursively), or a package of priority `required` (in debian:bookworm-slim
# already). Docker itself is not needed: the packages are read with dpkg on this machine, where the
# build installed them. The image once lacked libnlopt0 and libabsl20220623, and segd could not
# start in it.
# Usage: bash docker_runtime_libs.sh BIN_DIR
set -euo pipefail

bin=${1:?usage: docker_runtime_libs.sh BIN_DIR}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dockerfile="$repo/deploy/docker/Dockerfile"
if [[ "${SANITIZED_BUILD:-0}" == 1 ]]; then
  # Instrumented programs link the sanitizer runtimes, which no image holds: the regular pass
  # checks the programs the image is built with.
  echo "skipped: a sanitized build is not what the image holds"
  exit 0
fi

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The words of the runtime stage's `apt-get install` command, up to the `&&` that ends it.
runtime=$(awk '/^FROM .* AS runtime/ { on = 1 } on' "$dockerfile" |
  awk '/apt-get install/ { on = 1 } on { print } on && /&&/ && !/apt-get install/ { exit }' |
  tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vE '^(apt-get|install|rm)$' || true)
[[ -n "$runtime" ]] || fail "no apt-get install found in the runtime stage of $dockerfile"

# Dependency closure of the runtime packages, through the dpkg database (Depends and
# Pre-Depends; each alternative of an `a | b` counts, as either may be the one installed).
declare -A have=()
queue=($runtime)
while ((${#queue[@]} > 0)); do
  pkg=${queue[0]}
  queue=("${queue[@]:1}")
  pkg=${pkg%%:*}
  [[ -n "${have[$pkg]:-}" ]] && continue
  have[$pkg]=1
  deps=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$pkg" 2>/dev/null) ||
    fail "runtime package $pkg is not installed here (or does not exist)"
  for dep in $(tr ',|' '\n\n' <<<"$deps" | sed -E 's/\(.*\)//; s/^ +//; s/ +$//' | grep -v '^$'); do
    queue+=("$dep")
  done
done

missing=()
for program in segd segctl; do
  while read -r lib; do
    # dpkg knows a file by the path its package shipped: the link ldd names, its target, or either
    # under /lib rather than /usr/lib (merged /usr).
    owner=
    real=$(readlink -f "$lib")
    for path in "$lib" "$real" "${lib#/usr}" "${real#/usr}" "/usr$lib" "/usr$real"; do
      owner=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) && [[ -n "$owner" ]] && break
    done
    [[ -n "$owner" ]] || fail "$lib ($program): no Debian package owns it"
    if [[ -n "${have[$owner]:-}" ]]; then
      continue
    fi
    if [[ "$(dpkg-query -W -f='${Priority}' "$owner")" == required ]]; then
      continue
    fi
    missing+=("$owner ($lib, linked by $program)")
  done < <(ldd "$bin/$program" | awk '/=> \// { print $3 }')
done

if ((${#missing[@]} > 0)); then
  printf 'FAIL: the runtime stage of %s lacks:\n' "$dockerfile" >&2
  printf '  %s\n' "${missing[@]}" | sort -u >&2
  exit 1
fi
echo "ok: the runtime stage installs every library segd and segctl link"
