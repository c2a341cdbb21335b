#!/usr/bin/env bash
# The scan benchmark: generated mixed estates (a third each Dockerfiles, Kubernetes
# manifests and VM specs) and an RVTools inventory, as CSV and as a workbook: the `mixed`
# and `inventories` sections of bench/all.sh, which says how they are measured.
#
#   bench/scan.sh [SIZES...]        (default 1000 10000 50000)
sizes="$*"
BENCH_MIXED="${sizes:-1000 10000 50000}" exec "$(dirname "$0")/all.sh" mixed inventories
