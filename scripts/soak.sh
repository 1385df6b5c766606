#!/bin/sh
# Runs the soak (bench/soak/soak.py) against a Release binary: SOAK_SECONDS (default 600) of mixed
# load with workers killed, the store taken away and the model throttling, then the checks.
# Usage: scripts/soak.sh [PICTOR_BINARY]   (default build/pictor, as `make build` makes it)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$here/build/pictor}
if [ ! -x "$binary" ]; then
  echo "soak: $binary is not an executable; run \`make build\` first" >&2
  exit 2
fi
exec /usr/bin/python3 "$here/bench/soak/soak.py" "$binary"
