#!/bin/bash
# POST /jobs throughput of one pictor binary with and without API key authentication.
# Usage: bench/http/compare_auth.sh PICTOR [ROUNDS]
# Each round runs `pictor serve --workers 0` on embedded SQLite in a fresh directory, once with
# --auth none and once with --auth keys and an unlimited key made by `pictor keys create`
# (sent as Authorization: Bearer on every request), and `wrk -t2 -c32 -d8s` against each,
# alternating so both see the same machine load. Prints each round and the medians.
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,6p' "$0" >&2; exit 2; }
bin=$1 rounds=${2:-3}
# shellcheck source=bench/http/serve_rounds.sh
source "$(dirname "$0")/serve_rounds.sh"

run() {  # KIND ROUND
  local kind=$1 round=$2
  local dir="$work/$kind-$round"
  mkdir -p "$dir"
  local flags=(--store "file:$dir/images" --queue "sqlite:$dir/queue.db")
  if [[ $kind == keys ]]; then
    local key
    key=$("$bin" keys create --name bench --scope generate,read --rate unlimited "${flags[@]}" \
      2>/dev/null)
    write_post_lua "$dir/post.lua" "$key"
  else
    write_post_lua "$dir/post.lua"
  fi
  measure_round "round $round auth $kind:" "$dir" "$dir/post.lua" --auth "$kind" "${flags[@]}" \
    --log-level warn
}

echo "wrk -t2 -c32 -d8s --latency, $rounds rounds, alternating --auth none and --auth keys"
for round in $(seq "$rounds"); do
  for kind in none keys; do
    run "$kind" "$round"
  done
done | tee "$work/rounds.txt"
none=$(median_of none)
keys=$(median_of keys)
echo "median auth none: $none req/s"
echo "median auth keys: $keys req/s"
awk -v a="$keys" -v b="$none" 'BEGIN { printf "ratio keys/none: %.2f\n", a / b }'
