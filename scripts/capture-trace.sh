#!/usr/bin/env bash
# Captures a real program's page-access trace:
#   scripts/capture-trace.sh -o OUT [--lru N] [--fetches] [--name NAME] -- CMD ARGS...
# runs CMD under `valgrind --tool=lackey --trace-mem=yes` and streams lackey's log (gigabytes:
# never written to disk) through scripts/lackey-to-trace.ts, which keeps the miss stream of an
# LRU window of the N (default 64) most recently used 4 KiB virtual pages and remaps the pages to
# dense frame numbers in address order (see datasets/README.md). OUT ending in .pctrace is binary,
# anything else text; a trailing .gz compresses. CMD's stdout is discarded, its stdin and stderr are
# the script's. Only CMD's own process is traced (valgrind does not follow exec or children).
# Exit status: 0; 2 for bad arguments, a CMD that is not found, no valgrind, or the converter's refusal
# (nothing written); when CMD itself exits non-zero (grep finding nothing, a program failing), OUT holds
# the trace of that run all the same, one line says so, and the script exits with CMD's status.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
converter_args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  converter_args+=("$1")
  shift
done
if [[ $# -lt 2 ]]; then
  echo "usage: $0 -o OUT [--lru N] [--fetches] [--name NAME] -- CMD ARGS..." >&2
  exit 2
fi
shift # the --
# checked here: valgrind's own "command not found" was followed by the converter's "no lackey records" line
type -P -- "$1" >/dev/null || { echo "$0: $1: command not found (no such executable)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
# fd 3 carries lackey's log into the pipe; the program's own stdout goes to /dev/null.
set +e
valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$@" 3>&1 >/dev/null \
  | "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/lackey-to-trace.ts" "${converter_args[@]}"
statuses=("${PIPESTATUS[@]}")
set -e
# the converter's refusal (its one line said why) first: then nothing was written
[[ ${statuses[1]} -eq 0 ]] || exit "${statuses[1]}"
if [[ ${statuses[0]} -ne 0 ]]; then
  echo "$0: $1 exited with status ${statuses[0]}; the trace written is of that run" >&2
  exit "${statuses[0]}"
fi
