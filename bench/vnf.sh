#!/usr/bin/env bash
# VNF descriptors and SOL004 packages, as folders and as `.csar` archives, and five 200 MB
# archives with VM images inside: the `vnf` and `archives` sections of bench/all.sh, which
# says how they are measured.
#
#   bench/vnf.sh [PACKAGES]   (default 1000)
BENCH_PACKAGES="${1:-1000}" exec "$(dirname "$0")/all.sh" vnf archives
