#!/usr/bin/env bash
# Measures Pictor's HTTP server beside nginx on the same machine, in the same run.
#
#   compare_nginx.sh BUILD_DIR
#       Starts nginx (static 200 "ok") and BUILD_DIR/bench/http/bench_http_server (GET /healthz),
#       runs wrk against each ROUNDS times, alternating, and prints the median requests/s, the
#       median p99 latency and the ratio pictor/nginx.
#   compare_nginx.sh --url URL
#       As above, but against an already running server's URL (e.g. pictor serve's /healthz).
#   compare_nginx.sh --post-json FILE URL
#       Runs wrk ROUNDS times against an already running server, POSTing FILE as
#       application/json to URL (e.g. http://127.0.0.1:8080/jobs), and prints the medians.
#
# Environment: WRK_THREADS (2), WRK_CONNECTIONS (32), WRK_DURATION (10s), ROUNDS (3),
# NGINX (/usr/sbin/nginx), IO_THREADS (2, for bench_http_server).
set -euo pipefail

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-10s}
ROUNDS=${ROUNDS:-3}
NGINX=${NGINX:-/usr/sbin/nginx}
IO_THREADS=${IO_THREADS:-2}

usage() {
  echo "usage: $0 BUILD_DIR | $0 --url URL | $0 --post-json FILE URL" >&2
  exit 2
}

WORK_DIR=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1.
wait_for_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing is listening on port $1" >&2
  return 1
}

# Runs wrk once; prints "REQUESTS_PER_SECOND P99_MILLISECONDS". Extra arguments go to wrk.
run_wrk() {
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --latency "$@")
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "warning: non-2xx responses in this run" >&2
  fi
  awk '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); p99 = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v }
      else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1000 }
    }
    END { printf "%s %.3f\n", rps, p99 }' <<<"$out"
}

# The median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

start_nginx() {
  local port=$1
  mkdir -p "$WORK_DIR/nginx"
  cat >"$WORK_DIR/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $WORK_DIR/nginx/nginx.pid;
error_log $WORK_DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK_DIR/nginx/body;
  proxy_temp_path $WORK_DIR/nginx/proxy;
  fastcgi_temp_path $WORK_DIR/nginx/fastcgi;
  uwsgi_temp_path $WORK_DIR/nginx/uwsgi;
  scgi_temp_path $WORK_DIR/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 "ok"; }
  }
}
EOF
  "$NGINX" -p "$WORK_DIR/nginx" -e "$WORK_DIR/nginx/error.log" -c "$WORK_DIR/nginx/nginx.conf" &
  PIDS+=("$!")
  wait_for_port "$port"
}

# Starts bench_http_server and sets PICTOR_PORT to the port it prints.
start_pictor() {
  local binary=$1
  "$binary" --io-threads "$IO_THREADS" >"$WORK_DIR/pictor.out" &
  PIDS+=("$!")
  PICTOR_PORT=
  for _ in $(seq 1 100); do
    PICTOR_PORT=$(awk '/^port / { print $2 }' "$WORK_DIR/pictor.out")
    [[ -n "$PICTOR_PORT" ]] && break
    sleep 0.1
  done
  [[ -n "$PICTOR_PORT" ]] || { echo "bench_http_server did not report a port" >&2; exit 1; }
  wait_for_port "$PICTOR_PORT"
}

compare_healthz() {
  local build_dir=$1
  local binary="$build_dir/bench/http/bench_http_server"
  [[ -x "$binary" ]] || { echo "not found: $binary (build target bench_http_server)" >&2; exit 1; }
  start_pictor "$binary"
  compare_with_nginx "http://127.0.0.1:$PICTOR_PORT/healthz"
}

# Runs wrk against nginx's static 200 and against the given URL, alternating.
compare_with_nginx() {
  local pictor_url=$1
  local nginx_port
  nginx_port=$(free_port)
  start_nginx "$nginx_port"
  local nginx_url="http://127.0.0.1:$nginx_port/healthz"
  local nginx_rps=() nginx_p99=() pictor_rps=() pictor_p99=() round rps p99
  echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency, $ROUNDS rounds, alternating"
  for round in $(seq 1 "$ROUNDS"); do
    read -r rps p99 < <(run_wrk "$nginx_url")
    nginx_rps+=("$rps") nginx_p99+=("$p99")
    echo "round $round nginx:  $rps req/s  p99 ${p99} ms"
    read -r rps p99 < <(run_wrk "$pictor_url")
    pictor_rps+=("$rps") pictor_p99+=("$p99")
    echo "round $round pictor: $rps req/s  p99 ${p99} ms"
  done
  local n_rps n_p99 p_rps p_p99
  n_rps=$(median "${nginx_rps[@]}")
  n_p99=$(median "${nginx_p99[@]}")
  p_rps=$(median "${pictor_rps[@]}")
  p_p99=$(median "${pictor_p99[@]}")
  echo "median nginx:  $n_rps req/s  p99 $n_p99 ms"
  echo "median pictor: $p_rps req/s  p99 $p_p99 ms"
  awk -v p="$p_rps" -v n="$n_rps" 'BEGIN { printf "ratio pictor/nginx: %.2f\n", p / n }'
}

post_json() {
  local file=$1 url=$2
  [[ -r "$file" ]] || { echo "cannot read $file" >&2; exit 1; }
  # wrk sends wrk.body on every request; the file is embedded as a Lua long string.
  local lua="$WORK_DIR/post.lua"
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    printf 'wrk.body = [==[%s]==]\n' "$(cat "$file")"
  } >"$lua"
  local rates=() p99s=() round rps p99
  echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency -s $lua $url"
  for round in $(seq 1 "$ROUNDS"); do
    read -r rps p99 < <(run_wrk -s "$lua" "$url")
    rates+=("$rps") p99s+=("$p99")
    echo "round $round: $rps req/s  p99 ${p99} ms"
  done
  echo "median: $(median "${rates[@]}") req/s  p99 $(median "${p99s[@]}") ms"
}

case "${1:-}" in
  --post-json)
    [[ $# -eq 3 ]] || usage
    post_json "$2" "$3"
    ;;
  --url)
    [[ $# -eq 2 ]] || usage
    compare_with_nginx "$2"
    ;;
  "" | -h | --help) usage ;;
  *)
    [[ $# -eq 1 ]] || usage
    compare_healthz "$1"
    ;;
esac
