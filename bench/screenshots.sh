#!/usr/bin/env bash
# Screenshots of the HTML report of samples/ in headless Chromium, at a desktop width (1440
# CSS px) and a phone's (390 px), for a person to look at (docs/reports.md says what to look
# for), and one "overflow" shot per width whose yellow bar lists what sticks out of the page
# sideways (nothing should: wide tables and charts scroll in their own box).
# Not part of `cargo test`. Needs Chromium (Debian: `apt-get install chromium`).
# Usage: bench/screenshots.sh [OUT_DIR]   (default: target/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "no Chromium found (apt-get install chromium)" >&2
  exit 2
fi
cargo build --release --quiet
# A fixed date: the same samples give the same page.
SOURCE_DATE_EPOCH=1714557900 target/release/fitscan scan samples \
  --fail-on never --format html="$out/report.html" >/dev/null 2>&1
# The same page with every fold open (the worked sizing, the checks behind each property).
sed 's/<details class="explain">/<details class="explain" open>/g' "$out/report.html" >"$out/report-open.html"

# One part of the page at a time: the rest is hidden by a style added to a copy (a headless
# screenshot does not follow a #fragment on a page this long).
shot() { # name width height [CSS]
  sed "s|</head>|<style>${4:-}</style></head>|" "$out/report-open.html" >"$out/shot.html"
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$out/$1.png" --window-size="$2,$3" "file://$out/shot.html" >/dev/null 2>&1
  echo "$out/$1.png"
}
only() { echo "main > section:not(#$1){display:none}"; }

# The overflow probe: the page without its Content-Security-Policy and with a script that
# lists, in a yellow bar at the top, every element reaching past the right edge of the window
# outside a scrolling box (it runs again when the screenshot resizes the window).
probe='<script>
function probe() {
  var old = document.getElementById("probe"); if (old) old.remove();
  var vw = document.documentElement.clientWidth, out = [];
  out.push("page " + document.documentElement.scrollWidth + " px wide, window " + vw + " px");
  document.querySelectorAll("body *").forEach(function (e) {
    if (e.closest(".scroll")) return;
    var r = e.getBoundingClientRect();
    if (r.right > vw + 1) out.push("sticks out: " + e.tagName + "." + e.className + " to " + Math.round(r.right) + " px");
  });
  if (out.length == 1) out.push("nothing sticks out");
  var p = document.createElement("pre"); p.id = "probe";
  p.style.cssText = "position:fixed;top:0;left:0;right:0;margin:0;background:#ff0;font-size:12px;white-space:pre-wrap;z-index:9";
  p.textContent = out.slice(0, 30).join("\n"); document.body.appendChild(p);
}
addEventListener("load", probe); addEventListener("resize", probe);
</script>'
for size in 1440x2400 390x2400; do
  w=${size%x*}
  h=${size#*x}
  shot "$w-top" "$w" "$h"
  for section in matrix rightsizing effort findings estate workloads problems assumptions; do
    shot "$w-$section" "$w" "$h" "$(only "$section")"
  done
  # A VM with measured demand, a Compose service, a VNF with VDUs: every fold open.
  for name in cdr-collector-01 shop/db legacy-ims/default-df; do
    id=$(tr '\n' ' ' <"$out/report.html" | grep -o "id=\"w-[0-9]*\"> <h3>$name " | head -1 | grep -o 'w-[0-9]*' || true)
    [ -n "$id" ] && shot "$w-${name//\//-}" "$w" 6000 "$(only details) article.wl:not(#$id){display:none}"
  done
  { sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$out/report-open.html" | sed '/^<\/body>$/d; /^<\/html>$/d'
    printf '%s\n</body>\n</html>\n' "$probe"; } >"$out/probe.html"
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=5000 \
    --screenshot="$out/$w-overflow.png" --window-size="$w,400" "file://$out/probe.html" >/dev/null 2>&1
  echo "$out/$w-overflow.png"
done
rm -f "$out/shot.html"
