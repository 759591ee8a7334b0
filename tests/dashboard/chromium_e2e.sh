#!/usr/bin/env bash
# The dashboard end to end: a monitor on a loopback config serves it, headless Chromium
# (Debian's chromium) loads it and is driven over the DevTools protocol by cdp_check.py:
# the board shows the target, a click opens its drill-down, the target going down arrives
# live without a reload, and a screenshot is kept in ARTEFACTS. Skipped (77) without
# chromium or python3.
# Usage: chromium_e2e.sh BLACKOUT ARTEFACTS
set -euo pipefail
blackout=$1
artefacts=$2
browser=$(command -v chromium || true)
[[ -n $browser ]] || { echo "chromium is not installed (scripts/install-deps): skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
mkdir -p "$artefacts"
exec python3 "$(dirname "$0")/cdp_check.py" "$blackout" "$browser" "$artefacts"
