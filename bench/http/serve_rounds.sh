# shellcheck shell=bash
# Shared by the scripts that compare `pictor serve` configurations round by round (sourced, not
# run): a work folder removed on exit with the server in it, the POST /jobs wrk script, one
# measured round, and the median of a kind's rounds. The sourcing script sets `bin`.
bin=${bin:?set bin to the pictor binary before sourcing serve_rounds.sh}

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

# FILE [KEY]: a wrk script POSTing one prompt to /jobs, with `Authorization: Bearer KEY` if given.
write_post_lua() {
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    [[ -n "${2:-}" ]] && echo "wrk.headers[\"Authorization\"] = \"Bearer $2\""
    echo "wrk.body = '{\"prompt\": \"A magical salmon going to the moon in a rocket\"}'"
  } >"$1"
}

# LABEL DIR LUA SERVE_ARGS...: starts `pictor serve --workers 0 SERVE_ARGS` (port file in DIR,
# stderr to DIR/stderr), runs `wrk -t2 -c32 -d8s` with LUA against /jobs, stops the server and
# prints "LABEL R req/s  p99 P  non-2xx N  log lines L".
measure_round() {
  local label=$1 dir=$2 lua=$3
  shift 3
  "$bin" serve --listen 127.0.0.1:0 --port-file "$dir/port" --workers 0 "$@" \
    >/dev/null 2>"$dir/stderr" &
  pid=$!
  for _ in $(seq 100); do
    [[ -s "$dir/port" ]] && break
    sleep 0.1
  done
  local out
  out=$(wrk -t2 -c32 -d8s --latency -s "$lua" "http://127.0.0.1:$(<"$dir/port")/jobs")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  local lines
  lines=$(wc -l <"$dir/stderr")
  echo "$out" | awk -v label="$label" -v lines="$lines" '
    /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%s %s req/s  p99 %s  non-2xx %d  log lines %d\n", label, rps, p99, bad, lines }'
}

# KIND: the median req/s of the rounds of that kind in $work/rounds.txt ("round N what KIND: R").
median_of() {
  local values
  mapfile -t values < <(awk -v k="$1:" '$4 == k { print $5 }' "$work/rounds.txt" | sort -g)
  echo "${values[$(((${#values[@]} - 1) / 2))]}"
}
