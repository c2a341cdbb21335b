#!/usr/bin/env bash
# What the release profile (Cargo.toml: lto, codegen-units = 1, strip) buys and costs:
# builds fitscan from clean with Cargo's default release profile (overridden through the
# environment), with thin LTO, and with Cargo.toml's profile, timing each build; then
# compares the binaries on the same generated estate: size, wall time (one hyperfine run
# over all, so that the machine's load hits them alike) and instructions executed
# (callgrind: independent of the load, single-threaded).
#
#   bench/release-profile.sh [FILES]      (default 1000; 10000 takes minutes under callgrind)
#
# Needs hyperfine and valgrind (`apt-get install hyperfine valgrind`). Three clean builds:
# run it on an otherwise idle machine. Figures: bench/release-profile.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
for tool in hyperfine valgrind; do
  command -v "$tool" >/dev/null || { echo "bench/release-profile.sh: needs $tool" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== $(uptime)"
echo "== $(nproc) cores, $(cargo --version)"

# NAME, then the profile settings as CARGO_PROFILE_RELEASE_* variables.
build() {
  local name="$1"
  shift
  env "$@" CARGO_TARGET_DIR="$work/target-$name" /usr/bin/time -f "%e s wall, %U s user" \
    -o "$work/time-$name" cargo build --release --locked --quiet --bin fitscan
  cp "$work/target-$name/release/fitscan" "$work/fitscan-$name"
  echo "== $name: clean build $(cat "$work/time-$name"), binary $(stat -c %s "$work/fitscan-$name") bytes"
}
build default CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_STRIP=none
build thin CARGO_PROFILE_RELEASE_LTO=thin
build cargo-toml

CARGO_TARGET_DIR="$work/target-default" CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_STRIP=none \
  cargo build --release --locked --quiet --example gen_estate
"$work/target-default/release/examples/gen_estate" mixed "$work/mixed" "$n" > /dev/null
echo "== $n mixed files, JSON report to /dev/null"
args=(scan "$work/mixed" --format json -o /dev/null --fail-on never)
hyperfine --warmup 2 --runs 10 --style basic \
  -n default "$work/fitscan-default ${args[*]}" \
  -n thin "$work/fitscan-thin ${args[*]}" \
  -n cargo-toml "$work/fitscan-cargo-toml ${args[*]}" 2>&1 | grep -E "^Benchmark|Time|Range|faster|±"
for name in default thin cargo-toml; do
  refs=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/fitscan-$name" \
    "${args[@]}" -j 1 2>&1 | sed -n 's/.*I *refs: *//p')
  echo "== $name: $refs instructions (callgrind, -j 1)"
done
