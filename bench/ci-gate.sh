#!/usr/bin/env bash
# Benchmark of the CI gate's outputs: a generated estate of FILES x VMS_PER_FILE VM specs,
# scanned to JSON alone, then to SARIF + JUnit + JSON in one run, then against a baseline
# of itself. Not part of `cargo test`. Usage: bench/ci-gate.sh [FILES] [VMS_PER_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-200}
per_file=${2:-100}
cargo build --release --quiet
bin=$PWD/target/release/fitscan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/estate"
for ((f = 0; f < files; f++)); do
  {
    for ((v = 0; v < per_file; v++)); do
      cat <<VM
---
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: vm-$f-$v }
spec:
  platform: vsphere
  os: RHEL 7.9
  ignore: ["VM005: vendor layout", VM013]
  cpu: { sockets: 2, coresPerSocket: 4 }
  memory: 128GB
  disks: [ { size: 300GB, count: 30 } ]
  utilisation: { periodDays: 30, samples: 8640, cpu: { p95: 50% }, memory: { p95: 32GB }, storage: { used: 1TB } }
  app: { config: baked, state: local, backup: image, ha: none, scaling: none, encryption: none }
VM
    done
  } > "$work/estate/estate-$f.yaml"
done
cd "$work"
echo "estate: $files files, $((files * per_file)) VMs, $(du -sh estate | cut -f1)"
run() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$bin" scan estate --no-config --fail-on never "$@" > /dev/null
  end=$(date +%s.%N)
  printf '%-34s %6.2f s\n' "$label" "$(echo "$end - $start" | bc)"
}
run "json" --format json
run "sarif + junit + json" --format sarif=out.sarif --format junit=out.xml --format json=out.json
run "write baseline (+ json)" --format json --write-baseline base.json
run "against the baseline (+ json)" --format json --baseline base.json
ls -la out.sarif out.xml out.json base.json | awk '{ printf "%-10s %10d bytes\n", $9, $5 }'
