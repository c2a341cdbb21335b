#!/usr/bin/env bash
# The amplification cases of tests/hostile_budgets.rs at full size (examples/gen_hostile.rs),
# each scanned by the release build: peak memory (max RSS) and wall time from
# /usr/bin/time -v, and the input's size on disk. Every case must stay under 300 MB and 2 s.
#
#   bench/hostile.sh [FITSCAN]      (default: target/release/fitscan)
#
# FITSCAN may be an older build, to measure what a case took before its budget; each run is
# then capped at 120 s and 12 GB of address space so that a runaway case cannot take the
# machine down (it shows as killed).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin fitscan --example gen_hostile
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
fitscan="${1:-$target_dir/release/fitscan}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$target_dir/release/examples/gen_hostile" "$work" > /dev/null
good="$work/good.yaml"
printf 'apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: good }\nspec:\n  platform: vsphere\n  os: RHEL 9.4\n  cpu: 2\n  memory: 4GB\n' > "$good"
echo "== $(uptime)"
run() {
  local name="$1"; shift
  local size
  size=$(du -sb "$work/$name" | awk '{printf "%.0f KB", $1 / 1000}')
  local out
  out=$( (ulimit -v 12000000; timeout 120 /usr/bin/time -v "$fitscan" "$@" --format json -o /dev/null --fail-on never) 2>&1 >/dev/null || true)
  local rss wall
  rss=$(echo "$out" | awk -F: '/Maximum resident/ {printf "%.0f MB", $2 / 1024}')
  wall=$(echo "$out" | awk -F': ' '/Elapsed \(wall/ {print $2}')
  printf '%-16s %10s  peak %9s  wall %s\n' "$name" "$size" "${rss:-killed}" "${wall:-killed}"
}
run kubernetes    scan "$work/kubernetes" "$good"
run kubernetes-5k scan "$work/kubernetes-5k" "$good"
run compose       scan "$work/compose" "$good"
run sol006        scan "$work/sol006" "$good"
run merge-keys    scan "$work/merge-keys" "$good"
run rules         scan --rules "$work/rules/rules/many.yaml" "$good"
run rvtools-names scan "$work/rvtools-names" "$good"
run rvtools-cell  scan "$work/rvtools-cell" "$good"
