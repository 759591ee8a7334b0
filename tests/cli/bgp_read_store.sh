#!/usr/bin/env bash
# `blackout bgp read --config --store`: the bgp checks of a config answered from real RIS
# files (named out of time order on purpose) and stored, then read back by analyze; and
# what goes wrong said clearly: --store without --config, a file that is not there, a file
# cut short (the records before the cut are still answered and stored).
# Usage: bgp_read_store.sh BLACKOUT MRT_DIR
set -uo pipefail
blackout=$1
dir=$2
[[ -f $dir/bview.20020722.2337.gz && -f $dir/updates.20020722.2238.gz ]] || { echo "no MRT files in $dir"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cat >"$work/c.yaml" <<'YAML'
defaults: { interval: 60s, timeout: 5s, jitter: 0s }
targets:
  - { name: p, layer: bgp, checks: [ { bgp: { prefix: 80.95.224.0/20 } } ] }
  - { name: absent, layer: bgp, checks: [ { bgp: { prefix: 198.18.64.0/22 } } ] }
YAML

"$blackout" bgp read --store "sqlite:$work/x.db" "$dir/bview.20020722.2337.gz" >"$work/out" 2>&1
[[ $? -eq 2 ]] || fail "--store without --config must be a usage error (exit 2)"
grep -q -- "--store needs --config" "$work/out" || fail "the message must say what is missing: $(cat "$work/out")"

"$blackout" bgp read --config "$work/c.yaml" --store "sqlite:$work/a.db" "$dir/bview.20020722.2337.gz" "$dir/updates.20020722.2238.gz" >"$work/out" 2>&1 ||
  fail "replay failed: $(cat "$work/out")"
grep -q "p bgp:80.95.224.0/20: ok 1 no-session 60" "$work/out" || fail "outcomes of p: $(cat "$work/out")"
grep -q "absent bgp:198.18.64.0/22: withdrawn 1 no-session 60" "$work/out" || fail "outcomes of absent: $(cat "$work/out")"
grep -q "122 results of 2 bgp checks stored" "$work/out" || fail "count: $(cat "$work/out")"
"$blackout" analyze --store "sqlite:$work/a.db" --config "$work/c.yaml" >"$work/analyze" 2>&1 || fail "analyze: $(cat "$work/analyze")"
grep -q "analyzed 122 results" "$work/analyze" || fail "analyze reads them back: $(cat "$work/analyze")"

"$blackout" bgp read --config "$work/c.yaml" --store "sqlite:$work/b.db" "$work/missing.mrt" >"$work/out" 2>&1
[[ $? -eq 1 ]] || fail "a missing file must fail"
grep -q "missing.mrt" "$work/out" || fail "the message must name the file: $(cat "$work/out")"

# The dump cut in the middle of a record: the updates and the dump's first part are still
# answered and stored; the error names the file; the exit status says something was wrong.
gzip -dc "$dir/bview.20020722.2337.gz" | head -c 3000000 >"$work/cut.mrt"
"$blackout" bgp read --config "$work/c.yaml" --store "sqlite:$work/c.db" "$work/cut.mrt" "$dir/updates.20020722.2238.gz" >"$work/out" 2>&1
[[ $? -eq 1 ]] || fail "a cut file must make the exit status 1: $(cat "$work/out")"
grep -q "cut.mrt: offset [0-9]*: truncated" "$work/out" || fail "the error must name the file and the offset: $(cat "$work/out")"
grep -q "results of 2 bgp checks stored" "$work/out" || fail "what was read is stored: $(cat "$work/out")"
echo "PASS"
