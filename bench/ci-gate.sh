#!/usr/bin/env bash
# The CI gate's outputs (JSON; SARIF + JUnit + JSON in one run; writing a baseline; scanning
# against it) on FILES files of VMS_PER_FILE VM specs: the `ci-gate` section of
# bench/all.sh, which says how they are measured.
#
#   bench/ci-gate.sh [FILES] [VMS_PER_FILE]     (default 200 100)
BENCH_GATE="${1:-200} ${2:-100}" exec "$(dirname "$0")/all.sh" ci-gate
