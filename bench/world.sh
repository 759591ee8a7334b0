#!/usr/bin/env bash
# The benchmark world: a namespace in which a local route makes every address of
# 198.19.0.0/16 answer (ICMP by the kernel, HTTP by nginx on :80, DNS by nsd on :53),
# reached from a vantage namespace over a veth pair. Nothing leaves these namespaces.
# Usage: bench/world.sh up|down|status      (root)
set -euo pipefail
cd "$(dirname "$0")/.."
vantage=bow-vantage
world=bow-world
state=var/bench-world
action=${1:-status}

stop_pidfile() {
  local file=$1
  if [[ -f $file ]]; then
    local pid
    pid=$(cat "$file")
    # Only a process this script started: its pid file lives in our state directory.
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$file"
  fi
}

down() {
  stop_pidfile "$state/nginx.pid"
  stop_pidfile "$state/nsd.pid"
  ip netns delete "$world" 2>/dev/null || true
  ip netns delete "$vantage" 2>/dev/null || true
}

up() {
  down
  mkdir -p "$state"
  ip netns add "$vantage"
  ip netns add "$world"
  ip -n "$vantage" link set lo up
  ip -n "$world" link set lo up
  ip link add bow-v0 netns "$vantage" type veth peer name bow-w0 netns "$world"
  ip -n "$vantage" addr add 198.18.250.1/30 dev bow-v0
  ip -n "$world" addr add 198.18.250.2/30 dev bow-w0
  ip -n "$vantage" link set bow-v0 up
  ip -n "$world" link set bow-w0 up
  ip -n "$vantage" route add 198.19.0.0/16 via 198.18.250.2
  ip -n "$world" route add local 198.19.0.0/16 dev lo
  ip -n "$world" route add default via 198.18.250.1
  # The world answers as fast as asked: no ICMP rate limits, deep backlogs.
  ip netns exec "$world" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000000 \
    net.ipv4.icmp_msgs_burst=100000000 net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  ip netns exec "$vantage" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1

  cat >"$state/nginx.conf" <<CONF
worker_processes 1;
pid $PWD/$state/nginx.pid;
error_log $PWD/$state/nginx-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $PWD/$state/tmp-body;
  proxy_temp_path $PWD/$state/tmp-proxy;
  fastcgi_temp_path $PWD/$state/tmp-fastcgi;
  uwsgi_temp_path $PWD/$state/tmp-uwsgi;
  scgi_temp_path $PWD/$state/tmp-scgi;
  server { listen 80 backlog=65535 reuseport; location / { return 200 "world\n"; } }
}
CONF
  ip netns exec "$world" nginx -c "$PWD/$state/nginx.conf"

  mkdir -p "$state/nsd"
  cat >"$state/nsd/bench.test.zone" <<'ZONE'
$ORIGIN bench.test.
$TTL 300
@   IN SOA ns1.bench.test. hostmaster.bench.test. 2026112501 3600 600 86400 300
@   IN NS  ns1.bench.test.
ns1 IN A   198.19.0.53
www IN A   198.19.0.80
ZONE
  cat >"$state/nsd/nsd.conf" <<CONF
server:
  ip-address: 198.18.250.2
  port: 53
  # Response rate limiting would cap every client at 200 answers a second: off, this is a
  # benchmark of the probers, not of NSD's defences.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$PWD/$state/nsd"
  database: ""
  pidfile: "$PWD/$state/nsd.pid"
  xfrdfile: "$PWD/$state/nsd/xfrd.state"
  zonelistfile: "$PWD/$state/nsd/zone.list"
  logfile: "$PWD/$state/nsd/nsd.log"
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: bench.test
  zonefile: bench.test.zone
CONF
  # nsd answers from the address it listens on, not from whichever 198.19 address was asked;
  # DNAT every 198.19.x.x:53 to it, and conntrack puts the asked address back on the reply.
  ip netns exec "$world" sysctl -qw net.netfilter.nf_conntrack_max=1048576 2>/dev/null || true
  ip netns exec "$world" nft -f - <<'NFT'
table ip bench_dns {
  chain prerouting {
    type nat hook prerouting priority dstnat;
    ip daddr 198.19.0.0/16 udp dport 53 dnat to 198.18.250.2
    ip daddr 198.19.0.0/16 tcp dport 53 dnat to 198.18.250.2
  }
}
NFT
  ip netns exec "$world" nsd -c "$PWD/$state/nsd/nsd.conf"
  for _ in $(seq 50); do [[ -s $state/nsd.pid && -s $state/nginx.pid ]] && break; sleep 0.1; done
  status
}

status() {
  if ! ip netns list | grep -q "^$world"; then echo "world: down"; return 0; fi
  echo "world: up ($vantage -> $world, 198.19.0.0/16)"
  ip netns exec "$vantage" ping -c1 -W1 198.19.77.7 >/dev/null && echo "  icmp 198.19.77.7: ok" || echo "  icmp: FAILED"
  ip netns exec "$vantage" curl -s -m 2 http://198.19.1.2/ >/dev/null && echo "  http 198.19.1.2:80: ok" || echo "  http: FAILED"
  ip netns exec "$vantage" dig +time=1 +tries=1 +short @198.19.3.4 bench.test SOA >/dev/null 2>&1 \
    && echo "  dns 198.19.3.4:53: $(ip netns exec "$vantage" dig +time=1 +tries=1 +short @198.19.3.4 bench.test SOA)" || echo "  dns: FAILED"
}

case $action in
  up) up ;;
  down) down; echo "world: down" ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
