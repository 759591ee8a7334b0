#!/usr/bin/env bash
# Memory per monitored target-check in steady state, with 1,000,000 scheduled icmp checks
# probing the benchmark world for real.   Usage: bench/memory.sh [CHECKS] [SECONDS]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x build/bench/scheduler_memory ]] || scripts/build release >/dev/null
ip netns list | grep -q '^bow-world' || bench/world.sh up >/dev/null
ip netns exec bow-vantage build/bench/scheduler_memory "${1:-1000000}" "${2:-30}"
