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
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

write_lua() {  # FILE [KEY]
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    [[ -n "${2:-}" ]] && echo "wrk.headers[\"Authorization\"] = \"Bearer $2\""
    echo "wrk.body = '{\"prompt\": \"A magical salmon going to the moon in a rocket\"}'"
  } >"$1"
}

run() {  # KIND ROUND
  local kind=$1 round=$2
  local dir="$work/$kind-$round"
  mkdir -p "$dir"
  local flags=(--store "file:$dir/images" --queue "sqlite:$dir/queue.db")
  if [[ $kind == keys ]]; then
    local key
    key=$("$bin" keys create --name bench --scope generate,read --rate unlimited "${flags[@]}" \
      2>/dev/null)
    write_lua "$dir/post.lua" "$key"
  else
    write_lua "$dir/post.lua"
  fi
  "$bin" serve --listen 127.0.0.1:0 --port-file "$dir/port" --workers 0 --auth "$kind" \
    "${flags[@]}" --log-level warn >/dev/null &
  pid=$!
  for _ in $(seq 100); do
    [[ -s "$dir/port" ]] && break
    sleep 0.1
  done
  local out
  out=$(wrk -t2 -c32 -d8s --latency -s "$dir/post.lua" "http://127.0.0.1:$(<"$dir/port")/jobs")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "$out" | awk -v label="round $round auth $kind:" '
    /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%s %s req/s  p99 %s  non-2xx %d\n", label, rps, p99, bad }'
}

echo "wrk -t2 -c32 -d8s --latency, $rounds rounds, alternating --auth none and --auth keys"
for round in $(seq "$rounds"); do
  for kind in none keys; do
    run "$kind" "$round"
  done
done | tee "$work/rounds.txt"
median() {  # KIND: the median req/s of that kind's rounds
  local values
  mapfile -t values < <(awk -v k="$1:" '$4 == k { print $5 }' "$work/rounds.txt" | sort -g)
  echo "${values[$(((${#values[@]} - 1) / 2))]}"
}
none=$(median none)
keys=$(median keys)
echo "median auth none: $none req/s"
echo "median auth keys: $keys req/s"
awk -v a="$keys" -v b="$none" 'BEGIN { printf "ratio keys/none: %.2f\n", a / b }'
