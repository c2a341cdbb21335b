#!/usr/bin/env bash
# Benchmark: scan a generated estate of VNF descriptors with the release binary.
#   bench/vnf.sh [PACKAGES]   (default 1000)
# Generates PACKAGES copies of the SOL001 sample package (4 files, 1 flavour), PACKAGES
# copies of the two-flavour fixture package (5 files) and PACKAGES SOL006 descriptors in a
# temporary folder, then times `fitscan scan` (wall clock and peak memory).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$n"); do
  mkdir -p "$work/smf-$i" "$work/upf-$i"
  cp -r samples/vnf/cloud-smf/. "$work/smf-$i/"
  cp -r rules/fixtures/vnf/cloud/. "$work/upf-$i/"
  sed "s/id: vepc-gw/id: vepc-gw-$i/; s/\"id\": \"vepc-gw\"/\"id\": \"vepc-gw-$i\"/" \
    samples/vnf/vepc_vnfd.json > "$work/vepc-$i.json"
done
files=$(find "$work" -type f | wc -l)
echo "estate: $files files, $((n * 4)) workloads expected"
/usr/bin/time -f "wall %es, peak RSS %M KiB" \
  target/release/fitscan scan "$work" --format json --fail-on never --quiet > "$work/report.json"
python3 - "$work/report.json" <<'PY' 2>/dev/null || true
import json, sys
r = json.load(open(sys.argv[1]))
print("workloads:", r["summary"]["workloads"], "by phase:", r["summary"]["by_phase"], "errors:", r["summary"]["errors"])
PY
