#!/usr/bin/env bash
# The scan benchmark: generated estates of 1,000, 10,000 and 50,000 mixed files (a third
# each Dockerfiles, Kubernetes manifests and VM specs) and a 50,000-row RVTools inventory,
# each scanned by the release build; wall time (hyperfine, best and mean of several runs)
# and peak memory (/usr/bin/time).
#
#   bench/scan.sh [SIZES...]        (default 1000 10000 50000)
#
# Needs hyperfine (`apt-get install hyperfine`). Run it when the machine is otherwise idle
# (the load average is printed first).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
command -v hyperfine >/dev/null || { echo "bench/scan.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet --bin fitscan --example gen_estate
fitscan="$PWD/target/release/fitscan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== $(uptime)"
echo "== $(nproc) cores"
for n in "${sizes[@]}"; do
  target/release/examples/gen_estate mixed "$work/mixed-$n" "$n" > /dev/null
  echo "== $n mixed files ($(find "$work/mixed-$n" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f MB", s / 1e6}') of text)"
  for format in "json -o /dev/null" "table --quiet"; do
    hyperfine --warmup 1 --runs 5 --style basic \
      "$fitscan scan $work/mixed-$n --format $format --fail-on never" 2>&1 | grep -E "Time|Range"
    /usr/bin/time -f "   peak memory %M KiB" "$fitscan" scan "$work/mixed-$n" --format $format --fail-on never 2>&1 >/dev/null | tail -1
  done
  rm -rf "$work/mixed-$n"
done
target/release/examples/gen_estate rvtools "$work/rvtools/RVTools_tabvInfo.csv" 50000 > /dev/null
echo "== 50,000-row RVTools vInfo CSV ($(find "$work/rvtools" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f MB", s / 1e6}'))"
hyperfine --warmup 1 --runs 5 --style basic \
  "$fitscan scan $work/rvtools --max-file-size 100000000 --format json -o /dev/null --fail-on never" 2>&1 | grep -E "Time|Range"
/usr/bin/time -f "   peak memory %M KiB" "$fitscan" scan "$work/rvtools" --max-file-size 100000000 --format json -o /dev/null --fail-on never
