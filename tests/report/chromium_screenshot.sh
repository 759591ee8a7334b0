#!/usr/bin/env bash
# The HTML report as a browser shows it: headless Chromium (Debian's chromium) loads the
# report of each recorded lab run from a file:// URL, takes a 1400x2400 screenshot, and —
# in a copy with a measuring script added by this test, never by the report — says how
# large it drew each chart. Checked: the PNGs exist with the right size and are not blank,
# and every layer's chart is present and drawn at its declared size. The screenshots are
# kept in ARTEFACTS. Skipped (77) without chromium.
# Usage: chromium_screenshot.sh BLACKOUT LAB_RUNS_DIR ARTEFACTS
set -euo pipefail
blackout=$1
runs=$2
artefacts=$3/screenshots
browser=$(command -v chromium || true)
[[ -n $browser ]] || { echo "chromium is not installed (scripts/install-deps): skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
mkdir -p "$artefacts"
profile=$(mktemp -d "$artefacts/profile.XXXXXX")
trap 'rm -rf "$profile"' EXIT
# A private profile, no sandbox (tests run as root in containers), no GPU, nothing but the
# local file: the report must not need the network, and must not get it.
chromium_run() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$profile" --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "$@" 2>>"$artefacts/chromium.log"
}
status=0
fail() { echo "FAIL: $*"; status=1; }

for dir in "$runs"/*/; do
  dir=${dir%/}
  run=$(basename "$dir")
  [[ -f $dir/results.db && -f $dir/lab.yaml ]] || continue
  html=$artefacts/$run.html
  "$blackout" report --store "sqlite:$dir/results.db" --config "$dir/lab.yaml" --format html -o "$html" 2>/dev/null ||
    { fail "$run: blackout report: exit $?"; continue; }
  png=$artefacts/$run.png
  rm -f "$png"
  chromium_run --screenshot="$png" --window-size=1400,2400 "file://$html" >/dev/null || fail "$run: chromium: exit $?"
  python3 - "$png" <<'PY' || fail "$run: the screenshot"
import os, struct, sys
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert data[12:16] == b"IHDR", "no IHDR"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1400, 2400), (width, height)
# A blank page compresses to a few kilobytes; text and charts do not.
assert len(data) > 60_000, f"only {len(data)} bytes: blank?"
print(f"{os.path.basename(path)}: {width}x{height}, {len(data)} bytes")
PY

  # How large the browser drew each chart, measured in a copy of the report.
  measured=$artefacts/$run.measured.html
  python3 - "$html" "$measured" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
probe = """<pre id="measured"></pre><script>
const out = [];
for (const svg of document.querySelectorAll('svg')) {
  const box = svg.getBoundingClientRect();
  out.push([svg.id, svg.getAttribute('width'), svg.getAttribute('height'), Math.round(box.width), Math.round(box.height)].join(' '));
}
document.getElementById('measured').textContent = 'charts ' + out.length + '\\n' + out.join('\\n');
</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(text.replace("</body>", probe + "</body>"))
PY
  chromium_run --dump-dom --window-size=1400,2400 "file://$measured" >"$artefacts/$run.dom.html" || fail "$run: chromium --dump-dom: exit $?"
  layers=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["series"]["layers"]))' \
             < <("$blackout" report --store "sqlite:$dir/results.db" --config "$dir/lab.yaml" --format json 2>/dev/null))
  python3 - "$layers" "$artefacts/$run.dom.html" <<'PY' || fail "$run: the charts as drawn"
import re, sys
dom = open(sys.argv[2], encoding="utf-8").read()
match = re.search(r'<pre id="measured">charts (\d+)\n(.*?)</pre>', dom, re.S)
assert match, "the measuring script did not run"
count, rows = int(match.group(1)), [r.split() for r in match.group(2).strip().splitlines() if r.strip()]
assert count == int(sys.argv[1]), f"{count} charts drawn, {sys.argv[1]} layers"
for chart_id, width, height, drawn_width, drawn_height in rows:
    assert chart_id.startswith("chart-"), chart_id
    # The report's CSS gives each chart a 1 px border: 2 px more than the SVG itself.
    assert abs(int(drawn_width) - int(width) - 2) <= 1 and abs(int(drawn_height) - int(height) - 2) <= 1, \
        f"{chart_id}: drawn {drawn_width}x{drawn_height}, declared {width}x{height}"
print(f"{count} charts drawn at their declared sizes: " + ", ".join(r[0] for r in rows))
PY
done
exit $status
