#!/usr/bin/env bash
# ICMP sweep of all 65,536 addresses of 198.19.0.0/16 in the benchmark world, one probe
# each, by blackout (full per-probe state, every reply matched with its RTT), fping (-i 0)
# and zmap's icmp_echoscan (stateless, the upper bound), in one run, reported as ratios.
# Usage: bench/icmp_sweep.sh [RUNS]     (root; brings the world up if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
blackout=build/src/cli/blackout
[[ -x $blackout ]] || scripts/build release >/dev/null
ip netns list | grep -q '^bow-world' || bench/world.sh up >/dev/null
vantage=(ip netns exec bow-vantage)
gateway_mac=$(ip -n bow-world link show bow-w0 | awk '/link\/ether/{print $2}')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each run prints: seconds-of-sending replies cpu-seconds
run_blackout() {
  /usr/bin/time -f "%U %S" -o "$tmp/time" "${vantage[@]}" "$blackout" probe icmp 198.19.0.0/16 -q --rate 100000000 \
    --max-in-flight 65536 --timeout 2s --user root 2>"$tmp/out" || true
  local sending replies cpu
  sending=$(sed -nE 's/.*sending ([0-9.]+) s.*/\1/p' "$tmp/out")
  replies=$(sed -nE 's/.*: ([0-9]+) answered.*/\1/p' "$tmp/out")
  cpu=$(tail -n1 "$tmp/time" | awk '{print $1 + $2}')
  echo "$sending $replies $cpu"
}
run_fping() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$tmp/time" "${vantage[@]}" fping -g 198.19.0.0/16 -i 0 -r 0 -t 1000 -a >"$tmp/alive" 2>/dev/null || true
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(wc -l <"$tmp/alive") $(tail -n1 "$tmp/time" | awk '{print $1 + $2}')"
}
run_zmap() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$tmp/time" "${vantage[@]}" zmap -M icmp_echoscan -i bow-v0 -G "$gateway_mac" -S 198.18.250.1 \
    -b /dev/null -r 0 --cooldown-time=1 -q -o "$tmp/zmap" 198.19.0.0/16 >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  # zmap waits its cooldown (1 s) after sending: what remains is its sending time.
  echo "$(echo "$end - $start - 1" | bc -l) $(wc -l <"$tmp/zmap") $(tail -n1 "$tmp/time" | awk '{print $1 + $2}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A send replies cpu
for tool in blackout fping zmap; do
  : >"$tmp/$tool.runs"
  for _ in $(seq "$runs"); do "run_$tool" >>"$tmp/$tool.runs"; done
  send[$tool]=$(awk '{print $1}' "$tmp/$tool.runs" | median)
  replies[$tool]=$(awk '{print $2}' "$tmp/$tool.runs" | median)
  cpu[$tool]=$(awk '{print $3}' "$tmp/$tool.runs" | median)
done

echo "ICMP sweep of 198.19.0.0/16 (65,536 addresses), median of $runs runs, $(nproc) cores"
printf '| tool | sending (s) | probes/s | replies | CPU (s) |\n| --- | --- | --- | --- | --- |\n'
for tool in blackout fping zmap; do
  printf '| %s | %.3f | %.0f | %s | %.2f |\n' "$tool" "${send[$tool]}" "$(echo "65536 / ${send[$tool]}" | bc -l)" "${replies[$tool]}" "${cpu[$tool]}"
done
printf 'blackout rate vs fping: %.2fx; vs zmap: %.2fx\n' "$(echo "${send[fping]} / ${send[blackout]}" | bc -l)" \
  "$(echo "${send[zmap]} / ${send[blackout]}" | bc -l)"
