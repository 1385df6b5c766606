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

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt": "A magical salmon going to the moon in a rocket"}'
LUA

run() {  # KIND ROUND
  local kind=$1 round=$2
  local dir="$work/$kind-$round"
  mkdir -p "$dir"
  local logging=(--log-level warn)
  case $kind in
    text) logging=(--log-level info --log-format text) ;;
    json) logging=(--log-level info --log-format json) ;;
  esac
  "$bin" serve --listen 127.0.0.1:0 --port-file "$dir/port" --workers 0 \
    --store "file:$dir/images" --queue "sqlite:$dir/queue.db" "${logging[@]}" \
    >/dev/null 2>"$dir/stderr" &
  pid=$!
  for _ in $(seq 100); do
    [[ -s "$dir/port" ]] && break
    sleep 0.1
  done
  local out
  out=$(wrk -t2 -c32 -d8s --latency -s "$work/post.lua" "http://127.0.0.1:$(<"$dir/port")/jobs")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  local lines
  lines=$(wc -l <"$dir/stderr")
  echo "$out" | awk -v label="round $round log $kind:" -v lines="$lines" '
    /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%s %s req/s  p99 %s  non-2xx %d  log lines %d\n", label, rps, p99, bad, lines }'
}

echo "wrk -t2 -c32 -d8s --latency, $rounds rounds, alternating --log-level warn, info text, info json"
for round in $(seq "$rounds"); do
  for kind in warn text json; do
    run "$kind" "$round"
  done
done | tee "$work/rounds.txt"
median() {  # KIND: the median req/s of that kind's rounds
  local values
  mapfile -t values < <(awk -v k="$1:" '$4 == k { print $5 }' "$work/rounds.txt" | sort -g)
  echo "${values[$(((${#values[@]} - 1) / 2))]}"
}
warn=$(median warn)
text=$(median text)
json=$(median json)
echo "median log warn: $warn req/s"
echo "median log text: $text req/s"
echo "median log json: $json req/s"
awk -v t="$text" -v j="$json" -v w="$warn" \
  'BEGIN { printf "ratio text/warn: %.2f\nratio json/warn: %.2f\n", t / w, j / w }'
