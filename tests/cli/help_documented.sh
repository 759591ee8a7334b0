#!/usr/bin/env bash
# Every option of every subcommand, as --help prints it, must appear in docs/cli.md.
set -euo pipefail
blackout=$1
doc=$2
missing=0
check_help() {
  local label=$1; shift
  local help
  help=$("$blackout" "$@" --help)
  for option in $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u); do
    [[ $option == --help ]] && continue
    if ! grep -qF -- "$option" "$doc"; then
      echo "docs/cli.md does not document $option of '$label'"
      missing=1
    fi
  done
  if ! grep -qF -- "$label" "$doc"; then
    echo "docs/cli.md does not document '$label'"
    missing=1
  fi
}
check_help "blackout"
for sub in $("$blackout" --help | awk '/^Subcommands:/{f=1;next} f && NF {print $1}'); do
  check_help "blackout $sub" "$sub"
  for subsub in $("$blackout" "$sub" --help | awk '/^Subcommands:/{f=1;next} f && NF {print $1}'); do
    check_help "blackout $sub $subsub" "$sub" "$subsub"
  done
done
exit $missing
