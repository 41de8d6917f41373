#!/usr/bin/env bash
# Captures a real program's page-access trace:
#   scripts/capture-trace.sh -o OUT [--lru N] [--fetches] [--name NAME] -- CMD ARGS...
# runs CMD under `valgrind --tool=lackey --trace-mem=yes` and streams lackey's log (gigabytes:
# never written to disk) through scripts/lackey-to-trace.ts, which keeps the miss stream of an
# LRU window of the N (default 64) most recently used 4 KiB virtual pages and remaps the pages to
# dense frame numbers in address order (see datasets/README.md). OUT ending in .pctrace is binary,
# anything else text; a trailing .gz compresses. CMD's stdout is discarded, its stdin and stderr are
# the script's. Only CMD's own process is traced (valgrind does not follow exec or children).
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
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
# fd 3 carries lackey's log into the pipe; the program's own stdout goes to /dev/null.
valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$@" 3>&1 >/dev/null \
  | "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/lackey-to-trace.ts" "${converter_args[@]}"
