#!/usr/bin/env bash
# MRT parsing rate of `blackout bgp read --format lines` beside `bgpdump -m` on the same
# files, in one run: MRT records/s and decompressed MB/s, and blackout's ratio to bgpdump.
# Each tool reads every file ROUNDS times (alternating), output to /dev/null; the best round
# of each counts.
# Twice: on the files as collectors publish them (gzip), then decompressed (parsing alone).
# Usage: bench/mrt_read.sh [ROUNDS] [MRT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
dir=${2:-tests/data/mrt}
blackout=${BLACKOUT:-build/src/cli/blackout}
[[ -x $blackout ]] || scripts/build release >/dev/null
command -v bgpdump >/dev/null || { echo "bgpdump is not installed (apt-get install bgpdump)"; exit 1; }
files=()
for f in "$dir"/*; do [[ $f == *.md ]] || files+=("$f"); done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

summary=$("$blackout" bgp read --format summary "${files[@]}")
records=$(awk -F': ' '$1=="records"{print $2}' <<<"$summary")
bytes=$(awk -F': ' '$1=="bytes (decompressed)"{print $2}' <<<"$summary")
lines=$("$blackout" bgp read --format lines "${files[@]}" 2>/dev/null | wc -l)

# Wall time in nanoseconds of TOOL on every file.
run_once() {
  local start end
  start=$(date +%s%N)
  for f in "${@:2}"; do
    case $1 in
      blackout) "$blackout" bgp read --format lines "$f" >/dev/null 2>&1 ;;
      bgpdump) bgpdump -m "$f" >/dev/null 2>&1 ;;
    esac
  done
  end=$(date +%s%N)
  echo $((end - start))
}

# The rounds alternate the two tools, so that load from elsewhere hits both alike; the best
# round of each counts.
report() {
  local label=$1; shift
  local best_b="" best_p="" t tb tp
  for ((r = 0; r < rounds; r++)); do
    t=$(run_once blackout "$@"); if [[ -z $best_b || $t -lt $best_b ]]; then best_b=$t; fi
    t=$(run_once bgpdump "$@"); if [[ -z $best_p || $t -lt $best_p ]]; then best_p=$t; fi
  done
  tb=$(echo "scale=4; $best_b / 1000000000" | bc)
  tp=$(echo "scale=4; $best_p / 1000000000" | bc)
  printf '%s: %d files, %s MRT records, %s MB decompressed, %s lines\n' "$label" "$#" "$records" "$(echo "scale=1; $bytes / 1000000" | bc)" "$lines"
  printf '  %-34s %8s s  %10.0f records/s  %7.1f MB/s\n' "blackout bgp read --format lines" "$tb" "$(echo "$records / $tb" | bc -l)" "$(echo "$bytes / 1000000 / $tb" | bc -l)"
  printf '  %-34s %8s s  %10.0f records/s  %7.1f MB/s\n' "bgpdump -m" "$tp" "$(echo "$records / $tp" | bc -l)" "$(echo "$bytes / 1000000 / $tp" | bc -l)"
  printf '  blackout / bgpdump rate: %.2fx\n' "$(echo "$tp / $tb" | bc -l)"
}

report "gzip, as published" "${files[@]}"
plain=()
for f in "${files[@]}"; do
  out="$work/$(basename "${f%.gz}")"
  gzip -dc "$f" >"$out"
  plain+=("$out")
done
report "decompressed" "${plain[@]}"
