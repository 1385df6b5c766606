#!/bin/bash
# POST /jobs throughput of two pictor binaries side by side, without and with a unique
# Idempotency-Key per request (the keyed path claims the key and marks the job enqueued).
# Usage: bench/http/compare_post_jobs.sh OLD_PICTOR NEW_PICTOR [ROUNDS]
# Each round runs `pictor serve --workers 0` on embedded SQLite in a fresh directory and
# `wrk -t2 -c32 -d8s` against it, alternating binaries so both see the same machine load.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,6p' "$0" >&2; exit 2; }
old=$1 new=$2 rounds=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/plain.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt": "A magical salmon going to the moon in a rocket"}'
LUA
cat >"$work/keyed.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt": "A magical salmon going to the moon in a rocket"}'
local n = 0
-- Each wrk thread has its own Lua state: a table's address tells the threads' keys apart.
local tag = tostring({}):gsub("[^%w]", "")
request = function()
  n = n + 1
  return wrk.format(nil, nil, {["Idempotency-Key"] = "k-" .. tag .. "-" .. n})
end
LUA

run() {
  local name=$1 bin=$2 kind=$3 round=$4
  local dir="$work/$name-$kind-$round"
  mkdir -p "$dir"
  "$bin" serve --listen 127.0.0.1:0 --port-file "$dir/port" --workers 0 \
    --store "file:$dir/images" --queue "sqlite:$dir/queue.db" --log-level warn &
  local pid=$!
  for _ in $(seq 100); do
    [[ -s "$dir/port" ]] && break
    sleep 0.1
  done
  local out
  out=$(wrk -t2 -c32 -d8s --latency -s "$work/$kind.lua" "http://127.0.0.1:$(<"$dir/port")/jobs")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$out" | awk -v label="$name $kind round $round:" '
    /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%s %s req/s  p99 %s  non-2xx %d\n", label, rps, p99, bad }'
}

for round in $(seq "$rounds"); do
  for kind in plain keyed; do
    run old "$old" "$kind" "$round"
    run new "$new" "$kind" "$round"
  done
done
