#!/usr/bin/env bash
# Every SegmentChange of `segctl replay` against an independent Python model of README's "Segment
# rules" (segment_oracle.py, on top of feature_oracle.py's features): 19 time-driven rules over
# generated and hand-made events, timers to the millisecond, causes, event ids, order.
# Usage: bash segment_oracle.sh BIN_DIR
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/segment_oracle.py" "${1:?usage: segment_oracle.sh BIN_DIR}"
