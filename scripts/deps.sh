#!/usr/bin/env bash
# Installs the Debian 12 packages segd needs to build, test and run its demo.
# Idempotent: does nothing when everything is already present. Needs root for apt-get.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev librocksdb-dev libboost-dev prometheus-cpp-dev
  libprotobuf-dev protobuf-compiler libyaml-cpp-dev rapidjson-dev libnlopt-cxx-dev libabsl-dev
  libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat python3-confluent-kafka prometheus curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages and not root; run as root or install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
