#!/usr/bin/env bash
# `blackout bgp read --format lines` must print what `bgpdump -m` prints, byte for byte, on
# every real MRT file in tests/data/mrt. Skips (exit 77) when bgpdump or the data is
# not there.
# Usage: bgp_read_matches_bgpdump.sh BLACKOUT MRT_DIR
set -uo pipefail
blackout=$1
dir=$2
command -v bgpdump >/dev/null || { echo "bgpdump is not installed"; exit 77; }
compgen -G "$dir/*" >/dev/null || { echo "no MRT files in $dir"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for file in "$dir"/*; do
  [[ $file == *.md ]] && continue
  name=$(basename "$file")
  bgpdump -m "$file" >"$work/expected" 2>/dev/null
  if ! "$blackout" bgp read --format lines "$file" >"$work/actual" 2>"$work/stderr"; then
    echo "$name: blackout bgp read failed: $(cat "$work/stderr")"
    status=1
  fi
  if cmp -s "$work/expected" "$work/actual"; then
    echo "$name: $(wc -l <"$work/actual") lines, identical"
  else
    echo "$name: differs from bgpdump -m:"
    diff "$work/expected" "$work/actual" | head -20
    status=1
  fi
done
exit $status
