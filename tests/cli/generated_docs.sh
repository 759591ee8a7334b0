#!/usr/bin/env bash
# The generated parts of docs/ match what the code prints today.
set -euo pipefail
blackout=$1
docs=$2
status=0
check() {  # FILE MARKER-COMMAND ARGS...
  local file=$1 marker=$2; shift 2
  local expected actual
  expected=$("$blackout" "$@")
  actual=$(awk -v b="<!-- BEGIN GENERATED: $marker -->" '$0==b{f=1;next} /<!-- END GENERATED -->/{f=0} f' "$docs/$file")
  if [[ "$expected" != "$actual" ]]; then
    echo "$file is out of date with '$marker': run scripts/update-docs"
    diff <(echo "$expected") <(echo "$actual") | head -20
    status=1
  fi
}
check config.md "blackout config schema" config schema
check checks.md "blackout probe --list-fields" probe --list-fields
exit $status
