#!/usr/bin/env bash
# `blackout report` as a user runs it, on every recorded lab run and in every format: the
# HTML is well formed and self-contained with one sized chart per layer, the JSON parses,
# the CSV has a header and one row per event, and the text and Markdown tell the reuters
# story. The reports are kept in ARTEFACTS for a human to look at.
# Usage: cli_formats.sh BLACKOUT LAB_RUNS_DIR ARTEFACTS
set -euo pipefail
blackout=$1
runs=$2
artefacts=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$artefacts"
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
status=0
fail() { echo "FAIL: $*"; status=1; }

for dir in "$runs"/*/; do
  dir=${dir%/}
  run=$(basename "$dir")
  [[ -f $dir/results.db && -f $dir/lab.yaml ]] || continue
  for format in text markdown html json csv; do
    ext=$format; [[ $format == markdown ]] && ext=md; [[ $format == text ]] && ext=txt
    out=$artefacts/$run.$ext
    if ! "$blackout" report --store "sqlite:$dir/results.db" --config "$dir/lab.yaml" --format "$format" -o "$out" 2>"$artefacts/$run.$ext.stderr"; then
      fail "$run $format: exit $?: $(cat "$artefacts/$run.$ext.stderr")"
      continue
    fi
  done
  layers=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["series"]["layers"]))' "$artefacts/$run.json") || { fail "$run: the JSON does not parse"; continue; }
  [[ $layers -gt 0 ]] || fail "$run: no layer series"
  python3 "$here/html_check.py" "$artefacts/$run.html" "$layers" || fail "$run: the HTML"
  python3 - "$artefacts/$run.csv" "$artefacts/$run.json" <<'PY' || fail "$run: the CSV"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
events = json.load(open(sys.argv[2]))["events"]
header = rows[0]
assert header[:3] == ["id", "scope", "layer"], header
assert len(rows) == len(events) + 1, (len(rows), len(events))
for row, event in zip(rows[1:], events):
    assert len(row) == len(header), row
    assert row[0] == event["id"], (row[0], event["id"])
    assert row[header.index("signature")] == event["signature"]
    assert row[header.index("evidence")] == "; ".join(event["evidence"])
PY
done

# The reuters story, in the words of the text and Markdown reports.
reuters=$artefacts/reuters
grep -q "^2 waves of outages" "$reuters.txt" || fail "reuters text: no '2 waves of outages'"
grep -q "fell first, at" "$reuters.txt" || fail "reuters text: no cascade"
grep -q "stress-led" "$reuters.txt" || fail "reuters text: no signature"
grep -q "^## Cascade" "$reuters.md" || fail "reuters markdown: no cascade section"
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert len(doc["waves"]) == 2, len(doc["waves"])
assert [s["layer"] for s in doc["waves"][0]["cascade"]].index("dns") < [s["layer"] for s in doc["waves"][0]["cascade"]].index("router")
' "$reuters.json" || fail "reuters json: not two waves with DNS before the routers"

# Standard output by default, the same as the file.
"$blackout" report --store "sqlite:$runs/reuters/results.db" --config "$runs/reuters/lab.yaml" 2>/dev/null | cmp -s - "$reuters.txt" ||
  fail "the text on standard output differs from -o"
# --from and --to bound the interval reported.
from=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["waves"][1]["start"])' "$reuters.json")
"$blackout" report --store "sqlite:$runs/reuters/results.db" --config "$runs/reuters/lab.yaml" --to "$from" --format json -o "$artefacts/reuters-first-wave.json" 2>/dev/null ||
  fail "--to: exit $?"
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["to"] == sys.argv[2], (doc["to"], sys.argv[2])
assert len(doc["waves"]) == 1, len(doc["waves"])
' "$artefacts/reuters-first-wave.json" "$from" || fail "--to: not the first wave alone"
# Failures are exit 1 with a message, not a crash.
missing=$artefacts/no-such-dir/x.db
if "$blackout" report --store "sqlite:$missing" >/dev/null 2>&1; then fail "a store that does not exist: exit 0"; fi
[[ ! -e $missing ]] || fail "a report created the store it was asked to read"
if "$blackout" report --store "sqlite:$runs/reuters/results.db" --from yesterday >/dev/null 2>&1; then fail "a bad --from: exit 0"; fi
exit $status
