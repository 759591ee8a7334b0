#!/usr/bin/env bash
# Sustained ingest per store backend (results/s, bytes per stored result) beside a plain
# sqlite3 bulk insert of the same rows. Starts its own PostgreSQL in a temporary folder.
# Usage: bench/store.sh [RESULTS]     (root)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[[ -x build/bench/store_ingest ]] || scripts/build release >/dev/null
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d)
chown postgres "$dir"
port=$((20000 + RANDOM % 20000))
runuser -u postgres -- "$bin/initdb" -D "$dir/pg" -A trust -U postgres --no-sync >/dev/null
# The settings a dedicated ingest server would have; durability stays on (fsync on commit).
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -w -l "$dir/pg.log" \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_wal_size=4GB -c synchronous_commit=on" start >/dev/null
cleanup() { runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" ingest
url="postgresql://postgres@127.0.0.1:$port/ingest"
build/bench/store_ingest "$dir" "$url" "$n"
bytes=$(runuser -u postgres -- "$bin/psql" -h 127.0.0.1 -p "$port" -d ingest -Atc "SELECT pg_total_relation_size('results')")
echo "blackout PostgreSQL: $(echo "$bytes / $n" | bc) bytes per result (results table with its index)"
