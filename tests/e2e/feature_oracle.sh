#!/usr/bin/env bash
# Every feature of `segctl export` against an independent Python model of README's "Features"
# section (feature_oracle.py): generated events and hand-made edge cases (late events, UTC
# midnight, refunds, sessions, cart merges, affinity, BG/NBD summary, erasure), 40 random seeds.
# Usage: bash feature_oracle.sh BIN_DIR
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/feature_oracle.py" "${1:?usage: feature_oracle.sh BIN_DIR}"
