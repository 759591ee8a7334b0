#!/usr/bin/env bash
# The monitor's probe rate with and without a store: 4,000 icmp targets in the benchmark
# world at a 200 ms interval (20,000 probes/s asked for), for 15 s each, storing nothing,
# into SQLite, and into PostgreSQL. The store writes on its own thread; the probe rate
# must not drop.   Usage: bench/monitor_store_rate.sh [SECONDS]     (root)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
blackout=$PWD/build/src/cli/blackout
[[ -x $blackout ]] || scripts/build release >/dev/null
ip netns list | grep -q '^bow-world' || bench/world.sh up >/dev/null
dir=$(mktemp -d)
chmod 755 "$dir"
bin=/usr/lib/postgresql/15/bin
chown postgres "$dir"
port=$((20000 + RANDOM % 20000))
runuser -u postgres -- "$bin/initdb" -D "$dir/pg" -A trust -U postgres --no-sync >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -w -l "$dir/pg.log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
cleanup() { runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" rate

{
  echo "lab_only: true"
  echo "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }"
  echo "targets:"
  for i in $(seq 0 3999); do echo "  - { name: h$i, layer: host, address: 198.19.$((i / 250)).$((i % 250 + 1)), checks: [icmp] }"; done
} >"$dir/rate.yaml"

printf '| store | probes launched/s | results stored | dropped |\n| --- | --- | --- | --- |\n'
# The monitor runs in the vantage namespace; it reaches PostgreSQL through its Unix socket,
# which, being a file, is the same in every namespace.
for store in none "sqlite:$dir/rate.db" "postgresql:///rate?host=$dir&port=$port&user=postgres"; do
  ip netns exec bow-vantage "$blackout" monitor "$dir/rate.yaml" --store "$store" --duration "${seconds}s" --quiet \
    --rate 100000 --user root 2>"$dir/log" || true
  launched=$(sed -nE 's/.*monitor.stopped .*launched=([0-9]+).*/\1/p' "$dir/log")
  stored=$(sed -nE 's/.*monitor.stopped .*stored=([0-9]+).*/\1/p' "$dir/log")
  dropped=$(sed -nE 's/.*monitor.stopped .*dropped=([0-9]+).*/\1/p' "$dir/log")
  printf '| %s | %.0f | %s | %s |\n' "${store%%:*}" "$(echo "$launched / $seconds" | bc -l)" "$stored" "$dropped"
done
