#!/usr/bin/env bash
# Re-captures every real trace in datasets/ (minutes: lackey runs ~0.5M guest instructions/s):
#   scripts/capture-datasets.sh [NAME...]      (default: all of sqlite perl bzip2 sort)
# Inputs come from scripts/make-trace-inputs.sh; each capture runs in the inputs directory so
# the commands below are exactly those listed in datasets/README.md. Captures run in parallel.
# Afterwards regenerate the table in datasets/README.md with scripts/datasets-readme.ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INPUTS="$("$ROOT/scripts/make-trace-inputs.sh")"
export LC_ALL=C # sort order and messages must not depend on the machine's locale
OUT="$ROOT/datasets"
mkdir -p "$OUT"
cd "$INPUTS"

capture() { # NAME STDIN CMD...
  local name="$1" stdin="$2"
  shift 2
  "$ROOT/scripts/capture-trace.sh" -o "$OUT/$name.trace.gz" --name "$name" -- "$@" < "$stdin"
}

declare -A COMMANDS=(
  [sqlite]='capture sqlite workload.sql sqlite3 :memory:'
  [perl]='capture perl /dev/null perl hashwalk.pl'
  [bzip2]='capture bzip2 /dev/null bzip2 -9 -c words.txt'
  [sort]='capture sort /dev/null sort keys.txt'
)
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(sqlite perl bzip2 sort)
pids=()
for name in "${names[@]}"; do
  [[ -n "${COMMANDS[$name]:-}" ]] || { echo "$0: unknown dataset '$name' (known: ${!COMMANDS[*]})" >&2; exit 2; }
  ${COMMANDS[$name]} &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
