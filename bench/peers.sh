#!/usr/bin/env bash
# fitscan beside its peers on the same files (hadolint on Dockerfiles, checkov on Dockerfiles
# and Kubernetes manifests): the `peers` section of bench/all.sh, which says how (a warm-up,
# the mean of 5 runs, every exit status checked) and measures a peer only where installed.
#
#   bench/peers.sh [DOCKERFILES] [MANIFESTS]        (default 1000 1000)
BENCH_PEERS="${1:-1000} ${2:-1000}" exec "$(dirname "$0")/all.sh" peers
