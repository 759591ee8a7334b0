#!/usr/bin/env bash
# What a careless user types gets a short, clear refusal (issue 13): a folder or a device
# given as a config, a second YAML document, a queue of 0, a rate of nan.
# Usage: careless_inputs.sh BLACKOUT
set -uo pipefail
blackout=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
# expect CODE PATTERN COMMAND...: the exit code, and a line of stderr matching PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 2
  timeout 10 "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [[ $got -eq $code ]] || fail "$*: exit $got, expected $code: $(head -c 600 "$work/err")"
  grep -q -- "$pattern" "$work/err" || fail "$*: stderr does not say '$pattern': $(head -c 600 "$work/err")"
  # No limit printed as a 300-digit number, nor any other line of that length.
  [[ $(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$work/err") -le 300 ]] || fail "$*: a line of stderr is over 300 characters"
}

expect 1 "$work: is a directory, not a config file" "$blackout" config check "$work"
expect 1 "/dev/zero: is not a regular file" "$blackout" config check /dev/zero
cat >"$work/two.yaml" <<'YAML'
targets:
  - { name: a, layer: host, address: 127.0.0.1, checks: [icmp] }
---
targets:
  - { name: b, layer: host, address: 127.0.0.2, checks: [icmp] }
YAML
expect 1 "two.yaml:4:1: a second YAML document" "$blackout" config check "$work/two.yaml"
cat >"$work/c.yaml" <<'YAML'
lab_only: true
targets:
  - { name: a, layer: host, address: 127.0.0.1, checks: [ { tcp: 9 } ] }
YAML
expect 2 "--max-queue: expected a number above 0, got 0" "$blackout" monitor "$work/c.yaml" --store none --max-queue 0
expect 2 "--rate: expected a number above 0, got nan" "$blackout" monitor "$work/c.yaml" --store none --rate nan
expect 2 "--rate: expected a number above 0, got inf" "$blackout" monitor "$work/c.yaml" --store none --rate inf
expect 2 "--max-in-flight: expected a number above 0, got -3" "$blackout" monitor "$work/c.yaml" --store none --max-in-flight -3
expect 2 "--rate: expected a number above 0, got nan" "$blackout" probe tcp 127.0.0.1 -p 9 --rate nan
exit $status
