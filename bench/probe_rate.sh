#!/usr/bin/env bash
# HTTP GET and DNS query rates in the benchmark world: blackout sweeping addresses of
# 198.19.0.0/16 versus prometheus-blackbox-exporter driven by wrk at the same concurrency,
# in one run. Reports probes per second and probes per CPU-second of the prober, and the
# ratios.   Usage: bench/probe_rate.sh [CONCURRENCY] [SECONDS]     (root)
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency=${1:-64}
seconds=${2:-10}
blackout=build/src/cli/blackout
[[ -x $blackout ]] || scripts/build release >/dev/null
ip netns list | grep -q '^bow-world' || bench/world.sh up >/dev/null
vantage=(ip netns exec bow-vantage)
state=var/bench-world/blackbox
mkdir -p "$state"
tmp=$(mktemp -d)
ticks=$(getconf CLK_TCK)

cat >"$state/blackbox.yml" <<'YML'
modules:
  http_2xx:
    prober: http
    timeout: 2s
    http: { preferred_ip_protocol: ip4 }
  dns_soa:
    prober: dns
    timeout: 2s
    dns: { preferred_ip_protocol: ip4, query_name: bench.test, query_type: SOA, transport_protocol: udp }
YML
"${vantage[@]}" prometheus-blackbox-exporter --config.file="$state/blackbox.yml" --web.listen-address=127.0.0.1:9115 \
  --log.level=warn >"$state/log" 2>&1 &
exporter=$!
cleanup() { kill "$exporter" 2>/dev/null || true; wait "$exporter" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 50); do "${vantage[@]}" curl -s -o /dev/null http://127.0.0.1:9115/ && break; sleep 0.1; done

cpu_seconds() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

# wrk asks the exporter to probe a different world address each time.
cat >"$tmp/targets.lua" <<'LUA'
local n = 0
local module = os.getenv("MODULE")
request = function()
  n = n + 1
  local address = string.format("198.19.%d.%d", math.floor(n / 250) % 250, n % 250 + 1)
  local target = module == "http_2xx" and ("http://" .. address .. "/") or address
  return wrk.format("GET", "/probe?module=" .. module .. "&target=" .. target)
end
LUA

run_blackbox() {  # MODULE -> "probes cpu_seconds failed"
  local module=$1 before after
  # Every probe must succeed, or the comparison is void.
  "${vantage[@]}" curl -s "http://127.0.0.1:9115/probe?module=$module&target=$([[ $module == http_2xx ]] && echo http://198.19.9.9/ || echo 198.19.9.9)" \
    | grep -q '^probe_success 1' || { echo "blackbox $module does not succeed against the world" >&2; exit 1; }
  before=$(cpu_seconds "$exporter")
  MODULE=$module "${vantage[@]}" wrk -t1 -c"$concurrency" -d"${seconds}s" -s "$tmp/targets.lua" http://127.0.0.1:9115 >"$tmp/wrk" 2>&1
  after=$(cpu_seconds "$exporter")
  local requests
  requests=$(awk '/requests in/{print $1}' "$tmp/wrk")
  echo "$requests $(echo "$after - $before" | bc -l) $seconds"
}

run_blackout() {  # KIND PREFIX OPTIONS... -> "probes cpu_seconds wall_seconds"
  local kind=$1 prefix=$2
  shift 2
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "${vantage[@]}" "$blackout" probe "$kind" "$prefix" -q --user root \
    --rate 1000000 --max-in-flight "$concurrency" "$@" 2>"$tmp/out" || true
  local answered
  answered=$(sed -nE 's/.*: ([0-9]+) answered, ([0-9]+) did not.*/\1 \2/p' "$tmp/out")
  local wall cpu
  read -r wall cpu < <(tail -n1 "$tmp/time" | awk '{print $1, $2 + $3}')
  echo "$(cut -d' ' -f1 <<<"$answered") $cpu $wall $(cut -d' ' -f2 <<<"$answered")"
}

report() {  # NAME BLACKBOX-LINE BLACKOUT-LINE
  local name=$1
  read -r bb_probes bb_cpu bb_wall <<<"$2"
  read -r bo_probes bo_cpu bo_wall bo_failed <<<"$3"
  local bb_rate bo_rate bb_per_cpu bo_per_cpu
  bb_rate=$(echo "$bb_probes / $bb_wall" | bc -l)
  bo_rate=$(echo "$bo_probes / $bo_wall" | bc -l)
  bb_per_cpu=$(echo "$bb_probes / $bb_cpu" | bc -l)
  bo_per_cpu=$(echo "$bo_probes / $bo_cpu" | bc -l)
  printf '| %s | blackbox_exporter | %d | %.0f | %.0f |\n' "$name" "$bb_probes" "$bb_rate" "$bb_per_cpu"
  printf '| %s | blackout | %d (%d failed) | %.0f | %.0f |\n' "$name" "$bo_probes" "$bo_failed" "$bo_rate" "$bo_per_cpu"
  printf '| %s | **ratio** | | **%.1fx** | **%.1fx** |\n' "$name" "$(echo "$bo_rate / $bb_rate" | bc -l)" "$(echo "$bo_per_cpu / $bb_per_cpu" | bc -l)"
}

echo "Probe rates at concurrency $concurrency ($seconds s of blackbox_exporter per kind; blackout sweeps 16,384 addresses), $(nproc) cores"
printf '| kind | prober | probes | probes/s | probes per CPU-second |\n| --- | --- | --- | --- | --- |\n'
http_bb=$(run_blackbox http_2xx)
http_bo=$(run_blackout http 198.19.0.0/18)
report HTTP "$http_bb" "$http_bo"
dns_bb=$(run_blackbox dns_soa)
dns_bo=$(run_blackout dns 198.19.0.0/18 -o query=bench.test -o type=SOA)
report DNS "$dns_bb" "$dns_bo"
