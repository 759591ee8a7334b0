#!/usr/bin/env bash
# Every subcommand `blackout --help` lists is built: its own --help works and nothing answers
# "not built yet" (no placeholder may be left behind); a usage error exits 2.
set -uo pipefail
blackout=$1
status=0
mapfile -t commands < <("$blackout" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF > 0 {print $1}')
if [[ ${#commands[@]} -lt 5 ]]; then
  echo "blackout --help lists ${#commands[@]} subcommands; expected the whole set"
  exit 1
fi
for command in "${commands[@]}"; do
  output=$("$blackout" "$command" --help 2>&1)
  code=$?
  if [[ $code -ne 0 ]] || grep -q "not built yet" <<<"$output"; then
    echo "blackout $command --help: exit $code, output: $output"
    status=1
  fi
done
# A usage error exits 2, as docs/cli.md says.
"$blackout" --no-such-option >/dev/null 2>&1
code=$?
if [[ $code -ne 2 ]]; then
  echo "blackout --no-such-option: exit $code, expected 2"
  status=1
fi
exit $status
