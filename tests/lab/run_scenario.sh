#!/usr/bin/env bash
# Plays one built-in scenario in a lab of its own and requires its score to pass: every
# expected event found at the right scope with start and end within two probe intervals,
# the right kind, signature and cascade, and no false layer or network event; and requires
# the events the live monitor stored to be those `analyze` finds over the same results.
set -uo pipefail
blackout=$1
scenario=$2
if [[ $(id -u) -ne 0 ]]; then echo "skipped: the lab needs root"; exit 77; fi
name="s$$"
name=${name:0:8}
out=$(mktemp -d /tmp/blackout-scenario-XXXXXX)
trap '"$blackout" lab down --name "$name" >/dev/null 2>&1; rm -rf "$out"' EXIT
"$blackout" lab run "$scenario" --name "$name" --out "$out/run" | tee "$out/output.txt"
status=${PIPESTATUS[0]}
agreement=$(sed -nE 's/.*live events equal to analyze.s: ([0-9]+) of ([0-9]+).*/\1 \2/p' "$out/output.txt" | tail -n1)
if [[ -z $agreement ]]; then
  echo "FAILED: the run did not say how the live events compare with analyze's"
  status=1
elif [[ ${agreement% *} != "${agreement#* }" ]]; then
  echo "FAILED: live events equal to analyze's: ${agreement% *} of ${agreement#* }"
  status=1
fi
if [[ $status -ne 0 ]]; then
  echo "== monitor log (last lines)"
  grep -E "^[^ ]+ (info|warn|error) " "$out/run/monitor.log" 2>/dev/null | tail -n 30
fi
exit $status
