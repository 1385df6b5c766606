#!/bin/bash
# POST /jobs throughput of one pictor binary with and without its access log line per request.
# Usage: bench/http/compare_access_log.sh PICTOR [ROUNDS]
# Each round runs `pictor serve --workers 0` on embedded SQLite in a fresh directory three ways:
# --log-level warn (no access lines), info with text lines, info with --log-format json; stderr
# goes to a file, as under a process supervisor. `wrk -t2 -c32 -d8s` against each, alternating
# so all see the same machine load. Prints each round, the medians and the ratios to warn.
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
bin=$1 rounds=${2:-3}
# shellcheck source=bench/http/serve_rounds.sh
source "$(dirname "$0")/serve_rounds.sh"
write_post_lua "$work/post.lua"

run() {  # KIND ROUND
  local kind=$1 round=$2
  local dir="$work/$kind-$round"
  mkdir -p "$dir"
  local logging=(--log-level warn)
  case $kind in
    text) logging=(--log-level info --log-format text) ;;
    json) logging=(--log-level info --log-format json) ;;
  esac
  measure_round "round $round log $kind:" "$dir" "$work/post.lua" \
    --store "file:$dir/images" --queue "sqlite:$dir/queue.db" "${logging[@]}"
}

echo "wrk -t2 -c32 -d8s --latency, $rounds rounds, alternating --log-level warn, info text, info json"
for round in $(seq "$rounds"); do
  for kind in warn text json; do
    run "$kind" "$round"
  done
done | tee "$work/rounds.txt"
warn=$(median_of warn)
text=$(median_of text)
json=$(median_of json)
echo "median log warn: $warn req/s"
echo "median log text: $text req/s"
echo "median log json: $json req/s"
awk -v t="$text" -v j="$json" -v w="$warn" \
  'BEGIN { printf "ratio text/warn: %.2f\nratio json/warn: %.2f\n", t / w, j / w }'
