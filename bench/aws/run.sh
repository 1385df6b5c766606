#!/usr/bin/env bash
# Pictor beside its AWS-side peers, in one run (Release build with benchmarks):
#  send:   `pictor send` against `/usr/bin/aws sqs send-message` on the same fauxqs queue, whole
#          process, alternating runs; medians of wall time and of peak RSS (GNU time).
#  worker: images stored per second by one `pictor worker --concurrency 64` against the fake
#          Bedrock endpoint answering after 1 s, beside bench_serial_consumer (one record after
#          another, as the original Lambda did) on the same endpoint.
# Usage: bench/aws/run.sh BUILD_DIR
# Env: SEND_RUNS (20), WORKER_JOBS (320), SERIAL_JOBS (10), WORKER_RUNS (3), DELAY_MS (1000).
# Prints two lines to parse:
#  send: pictor median X ms, aws median Y ms, ratio Z; peak RSS pictor A KiB, aws B KiB, ratio C
#  worker: concurrent X images/s, serial Y images/s, ratio Z
# Needs: node (fauxqs in tools/node_modules), /usr/bin/aws, /usr/bin/python3, /usr/bin/time.
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
send_runs=${SEND_RUNS:-20}
worker_jobs=${WORKER_JOBS:-320}
serial_jobs=${SERIAL_JOBS:-10}
worker_runs=${WORKER_RUNS:-3}
delay_ms=${DELAY_MS:-1000}
pictor="$build/pictor"
serial="$build/bench/aws/bench_serial_consumer"
for tool in "$pictor" "$serial" /usr/bin/aws /usr/bin/time /usr/bin/python3; do
  [[ -x "$tool" ]] || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start_peer NAME COMMAND...: runs a peer that prints "port N"; sets $port.
start_peer() {
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  for _ in $(seq 200); do
    port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$work/$name.out" | head -n1)
    [[ -n "$port" ]] && return 0
    sleep 0.05
  done
  echo "run.sh: $name did not start: $(cat "$work/$name.err")" >&2
  exit 1
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
  sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_CONFIG_FILE=/nonexistent/aws-config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/aws-credentials
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_SQS AWS_ENDPOINT_URL_S3 PICTOR_QUEUE SQS_QUEUE_URL

# ---- send ----
start_peer fauxqs node "$root/tests/peers/fauxqs.mjs"
endpoint="http://127.0.0.1:$port"
export AWS_ENDPOINT_URL="$endpoint"
queue=$(/usr/bin/aws --endpoint-url "$endpoint" --output text sqs create-queue \
  --queue-name bench-send --query QueueUrl)
prompt="En katt og en hund som utforsker verdensrommet sammen ✨"

# timed NAME COMMAND...: one run timed from bash itself (no extra process), then one under GNU
# time for its peak RSS; appends wall ms to NAME.ms and KiB to NAME.rss.
timed() {
  local name=$1
  shift
  local t0 t1
  t0=$EPOCHREALTIME
  "$@" >/dev/null
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$work/$name.ms"
  /usr/bin/time -f %M -o "$work/rss.one" "$@" >/dev/null
  cat "$work/rss.one" >>"$work/$name.rss"
}
for _ in $(seq "$send_runs"); do
  timed pictor "$pictor" send "$prompt" --queue "$queue" --log-level warn
  timed aws /usr/bin/aws --endpoint-url "$endpoint" sqs send-message --queue-url "$queue" \
    --message-body "$prompt"
done
sent=$(/usr/bin/aws --endpoint-url "$endpoint" --output text sqs get-queue-attributes \
  --queue-url "$queue" --attribute-names ApproximateNumberOfMessages \
  --query Attributes.ApproximateNumberOfMessages)
if [[ "$sent" != "$((4 * send_runs))" ]]; then
  echo "run.sh: expected $((4 * send_runs)) messages on the queue, found $sent" >&2
  exit 1
fi
p_ms=$(median "$work/pictor.ms")
a_ms=$(median "$work/aws.ms")
p_rss=$(median "$work/pictor.rss")
a_rss=$(median "$work/aws.rss")
awk -v pm="$p_ms" -v am="$a_ms" -v pr="$p_rss" -v ar="$a_rss" -v n="$send_runs" 'BEGIN {
  printf "send: pictor median %.1f ms, aws median %.1f ms, ratio %.1f; ", pm, am, am / pm
  printf "peak RSS pictor %d KiB, aws %d KiB, ratio %.3f (%d runs each)\n", pr, ar, pr / ar, n
}'

# ---- worker ----
# The fake with a listen backlog of 256: the default 5 drops SYNs from 64 concurrent clients.
start_peer model /usr/bin/python3 "$root/tests/peers/fake_model_server.py"
model_url="http://127.0.0.1:$port"
export AWS_ENDPOINT_URL_BEDROCK_RUNTIME="$model_url"
curl -sf -X POST "$model_url/_control" \
  -d "{\"mode\": \"timeout\", \"times\": -1, \"delay_ms\": $delay_ms}" >/dev/null
model="bedrock:amazon.titan-image-generator-v1"

# fill_queue DIR N: N prompts on the SQLite queue DIR/queue.db.
fill_queue() {
  for i in $(seq "$2"); do
    "$pictor" send "Et fyrtårn i måneskinn nr. $i" --queue "sqlite:$1/queue.db" \
      --log-level warn >/dev/null
  done
}

[[ "$worker_runs" -ge 1 ]] || exit 0
for run in $(seq "$worker_runs"); do
  dir="$work/concurrent-$run"
  mkdir -p "$dir/images"
  fill_queue "$dir" "$worker_jobs"
  t0=$(date +%s%N)
  "$pictor" worker --concurrency 64 --model "$model" --queue "sqlite:$dir/queue.db" \
    --store "file:$dir/images" --log-level warn 2>"$dir/worker.err" &
  worker=$!
  pids+=("$worker")
  stored=0
  for _ in $(seq 6000); do
    stored=$(find "$dir/images" -name '*.png' | wc -l)
    [[ "$stored" -ge "$worker_jobs" ]] && break
    kill -0 "$worker" 2>/dev/null || break
    sleep 0.02
  done
  t1=$(date +%s%N)
  kill -TERM "$worker"
  wait "$worker" || true
  if [[ "$stored" -lt "$worker_jobs" ]]; then
    echo "run.sh: the worker stored $stored of $worker_jobs: $(tail -n 5 "$dir/worker.err")" >&2
    exit 1
  fi
  awk -v n="$worker_jobs" -v ns="$((t1 - t0))" 'BEGIN { printf "%.3f\n", n / (ns / 1e9) }' \
    >>"$work/concurrent.rate"

  dir="$work/serial-$run"
  mkdir -p "$dir/images"
  fill_queue "$dir" "$serial_jobs"
  "$serial" --model "$model" --queue "sqlite:$dir/queue.db" --store "file:$dir/images" \
    --jobs "$serial_jobs" | sed -n 's/.*, \([0-9.]*\) images\/s$/\1/p' >>"$work/serial.rate"
done
c_rate=$(median "$work/concurrent.rate")
s_rate=$(median "$work/serial.rate")
awk -v c="$c_rate" -v s="$s_rate" -v r="$worker_runs" -v n="$worker_jobs" -v m="$serial_jobs" \
  -v d="$delay_ms" 'BEGIN {
  printf "worker: concurrent %.2f images/s, serial %.2f images/s, ratio %.1f ", c, s, c / s
  printf "(median of %d runs; %d and %d jobs; model answers after %d ms)\n", r, n, m, d
}'
