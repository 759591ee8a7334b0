#!/usr/bin/env bash
# The written style holds: every C++ file of the project (src/, tests/, bench/) is as
# clang-format writes it with the repository's .clang-format. scripts/format rewrites them so.
# Usage: format_check.sh SOURCE_DIR
set -euo pipefail
cd "$1"
if ! command -v clang-format >/dev/null; then
  echo "format_check: clang-format is not installed (scripts/install-deps installs it)" >&2
  exit 1
fi
mapfile -t files < <(find src tests bench \( -name '*.cpp' -o -name '*.hpp' \) -type f | sort)
# One process for all the files; each file that differs is named in the diagnostics.
mapfile -t differ < <(clang-format --dry-run "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: \(warning\|error\): code should be clang-formatted.*/\1/p' | sort -u)
if ((${#differ[@]} > 0)); then
  echo "${#differ[@]} of ${#files[@]} files are not as .clang-format writes them (scripts/format fixes them):"
  printf '  %s\n' "${differ[@]}"
  exit 1
fi
echo "all ${#files[@]} files are as .clang-format writes them"
