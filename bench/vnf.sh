#!/usr/bin/env bash
# Benchmark: scan a generated estate of VNF descriptors with the release binary.
#   bench/vnf.sh [PACKAGES]   (default 1000)
# Generates PACKAGES copies of the SOL001 sample package (4 files, 1 flavour), PACKAGES
# copies of the two-flavour fixture package (5 files) and PACKAGES SOL006 descriptors in a
# temporary folder, then times `fitscan scan` (wall clock and peak memory).
# Then the same for SOL004 archives: PACKAGES copies each of the sample package and of the
# appliance fixture package (both with a TOSCA.meta), first as folders, then zipped as
# `.csar` files (deflate), so that the two figures compare reading a package from a folder
# and from an archive.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/estate" "$work/folders" "$work/archives"
for i in $(seq 1 "$n"); do
  mkdir -p "$work/estate/smf-$i" "$work/estate/upf-$i"
  cp -r samples/vnf/cloud-smf/. "$work/estate/smf-$i/"
  cp -r rules/vnf/fixtures/cloud/. "$work/estate/upf-$i/"
  sed "s/id: vepc-gw/id: vepc-gw-$i/; s/\"id\": \"vepc-gw\"/\"id\": \"vepc-gw-$i\"/" \
    samples/vnf/vepc_vnfd.json > "$work/estate/vepc-$i.json"
  mkdir -p "$work/folders/smf-$i" "$work/folders/sbc-$i"
  cp -r samples/vnf/cloud-smf/. "$work/folders/smf-$i/"
  cp -r rules/vnf/fixtures/appliance/. "$work/folders/sbc-$i/"
done
python3 - "$work/folders" "$work/archives" <<'PY'
import os, sys, zipfile
folders, archives = sys.argv[1:]
for name in sorted(os.listdir(folders)):
    root = os.path.join(folders, name)
    with zipfile.ZipFile(os.path.join(archives, name + ".csar"), "w", zipfile.ZIP_DEFLATED) as z:
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), root))
PY
summary() {
  python3 - "$1" <<'PY' 2>/dev/null || true
import json, sys
r = json.load(open(sys.argv[1]))
print("  workloads:", r["summary"]["workloads"], "by phase:", r["summary"]["by_phase"], "errors:", r["summary"]["errors"])
PY
}
time_scan() { # label folder
  echo "$1"
  /usr/bin/time -f "  wall %es, peak RSS %M KiB" \
    target/release/fitscan scan "$2" --format json --fail-on never --quiet > "$work/report.json"
  summary "$work/report.json"
}
echo "estate: $(find "$work/estate" -type f | wc -l) files, $((n * 4)) workloads expected"
time_scan "SOL001 packages and SOL006 descriptors:" "$work/estate"
echo "$((n * 2)) packages ($(find "$work/folders" -type f | wc -l) files), $((n * 2)) workloads expected"
time_scan "as folders:" "$work/folders"
time_scan "as .csar archives ($(du -sh "$work/archives" | cut -f1)):" "$work/archives"
