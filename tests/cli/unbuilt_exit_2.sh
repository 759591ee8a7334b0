#!/usr/bin/env bash
# Subcommands that are not built yet say so and exit 2; nothing pretends to work.
set -uo pipefail
blackout=$1
status=0
for command in "serve"; do
  output=$($blackout $command 2>&1)
  code=$?
  if [[ $code -ne 2 ]] || ! grep -q "not built yet" <<<"$output"; then
    echo "blackout $command: exit $code, output: $output"
    status=1
  fi
done
exit $status
