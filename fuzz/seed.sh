#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/TARGET, not committed) with the project's
# fixtures and samples of the kind it reads, so that the fuzzers start from real inputs.
set -euo pipefail
cd "$(dirname "$0")"
root=..
corpus=corpus
mkdir -p "$corpus"/{yaml,manifests,dockerfile,csv,xlsx,ovf,metrics,policy,scan,csar,dotenv}
n=0
add() { # target file [prefix byte]
  n=$((n + 1))
  if [ $# -eq 3 ]; then
    { printf "\\$(printf '%03o' "$3")"; cat "$2"; } > "$corpus/$1/seed-$n"
  else
    cp "$2" "$corpus/$1/seed-$n"
  fi
}
while IFS= read -r f; do
  add yaml "$f"; add manifests "$f"; add scan "$f" 1
done < <(find "$root"/rules/*/fixtures "$root/samples" "$root/tests/fixtures" -name '*.yaml' -o -name '*.yml' -o -name '*.json' | grep -v '\.test\.yaml$')
while IFS= read -r f; do
  add dockerfile "$f"; add scan "$f" 0
done < <(find "$root"/rules/*/fixtures "$root/samples" -name 'Dockerfile*' -o -name 'Containerfile*')
while IFS= read -r f; do
  add csv "$f" 0; add scan "$f" 5
done < <(find "$root"/rules/*/fixtures "$root/samples" "$root/tests/fixtures" -name '*.csv' ! -name 'metrics*')
while IFS= read -r f; do add metrics "$f"; done < <(find "$root"/rules/*/fixtures "$root/samples" -name 'metrics*.csv')
while IFS= read -r f; do add ovf "$f"; add scan "$f" 7; done < <(find "$root"/rules/*/fixtures "$root/samples" -name '*.ovf')
while IFS= read -r f; do add dotenv "$f"; done < <(find "$root/samples" "$root/tests/fixtures" -name '.env')
while IFS= read -r f; do add policy "$f"; done < <(find "$root/rules" -mindepth 2 -maxdepth 2 -name '*.yaml'; find "$root/samples" -name 'sizes.yaml')
# The project ships no workbook (tests write theirs): generate a small RVTools export.
(cd "$root" && cargo run --quiet --release --example gen_estate -- rvtools "$PWD/fuzz/$corpus/RVTools_export_all.xlsx" 5 >/dev/null)
add xlsx "$corpus/RVTools_export_all.xlsx"
add scan "$corpus/RVTools_export_all.xlsx" 8
rm "$corpus/RVTools_export_all.xlsx"
# Nor a CSAR: zip each SOL001 package folder (the ones with a TOSCA.meta), stored and deflated.
while IFS= read -r meta; do
  pkg="$(cd "$(dirname "$meta")/.." && pwd)"
  for level in 0 9; do
    out="$PWD/$corpus/package.csar"
    (cd "$pkg" && python3 - "$out" "$level" <<'PY'
import os, sys, zipfile
out, level = sys.argv[1], int(sys.argv[2])
method = zipfile.ZIP_STORED if level == 0 else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(out, "w", method) as z:
    for d, _, files in sorted(os.walk(".")):
        for f in sorted(files):
            z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), "."))
PY
    )
    add csar "$corpus/package.csar"
    add scan "$corpus/package.csar" 10
    rm "$corpus/package.csar"
  done
done < <(find "$root"/rules/*/fixtures "$root/samples" -name TOSCA.meta)
echo "seeded $n inputs under fuzz/$corpus"
