#!/bin/bash
# The HTTP server alone (bench_http_server) from two builds side by side: requests/s and the
# server's CPU time per request for GET /healthz and POST /jobs, plain HTTP, wrk with 32
# keep-alive connections. CPU per request is the figure to judge by on a shared machine: the
# rate follows whatever else runs, the work per request does not.
# Usage: bench/http/compare_builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [ROUNDS]
# Both servers run at once; each round measures one then the other, the order alternating.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
rounds=${3:-5}
duration=${WRK_DURATION:-5s}
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt": "A magical salmon going to the moon in a rocket"}'
LUA

declare -A port pid
for name in old new; do
  dir=$1
  [[ $name == new ]] && dir=$2
  "$dir/bench/http/bench_http_server" --io-threads 2 >"$work/$name.out" &
  pid[$name]=$!
  pids+=("$!")
  for _ in $(seq 100); do
    port[$name]=$(awk '/^port / { print $2 }' "$work/$name.out")
    [[ -n ${port[$name]} ]] && break
    sleep 0.1
  done
  [[ -n ${port[$name]} ]] || { echo "$dir/bench/http/bench_http_server did not start" >&2; exit 1; }
done

# user + system clock ticks of a process so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# Prints "REQUESTS_PER_SECOND CPU_MICROSECONDS_PER_REQUEST" for one wrk run.
measure() {
  local name=$1 kind=$2 before after out args=()
  [[ $kind == POST ]] && args=(-s "$work/post.lua")
  local path=/healthz
  [[ $kind == POST ]] && path=/jobs
  before=$(cpu_ticks "${pid[$name]}")
  out=$(wrk -t2 -c32 -d"$duration" "${args[@]}" "http://127.0.0.1:${port[$name]}$path")
  after=$(cpu_ticks "${pid[$name]}")
  awk -v ticks=$((after - before)) -v hz="$ticks_per_second" '
    /requests in/ { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s %.2f\n", rps, ticks * 1e6 / hz / requests }' <<<"$out"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

declare -A rates cpus
for round in $(seq "$rounds"); do
  order="old new"
  (( round % 2 == 0 )) && order="new old"
  for kind in GET POST; do
    for name in $order; do
      read -r rps cpu < <(measure "$name" "$kind")
      printf 'round %d %-4s %s: %10.0f req/s  %6.2f us CPU/request\n' "$round" "$kind" "$name" \
        "$rps" "$cpu"
      rates[$name-$kind]+="$rps "
      cpus[$name-$kind]+="$cpu "
    done
  done
done
for kind in GET POST; do
  for name in old new; do
    # shellcheck disable=SC2086  # the lists are space-separated numbers
    printf 'median %-4s %s: %10.0f req/s  %6.2f us CPU/request\n' "$kind" "$name" \
      "$(median ${rates[$name-$kind]})" "$(median ${cpus[$name-$kind]})"
  done
done
