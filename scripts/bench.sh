#!/usr/bin/env bash
# `make bench`: runs every benchmark beside its reference in one run and writes
# docs/PERFORMANCE.md. Usage: scripts/bench.sh BUILD_DIR (a Release build with benchmarks).
set -euo pipefail
build=$(cd "${1:?usage: bench.sh BUILD_DIR}" && pwd)
cd "$(dirname "$0")/.."
results=$(mktemp -d)
server=""
cleanup() {
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
  rm -rf "$results"
}
trap cleanup EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/machine.txt"

echo "bench: image"
"$build/bench/image/bench_image" --benchmark_repetitions=9 --benchmark_report_aggregates_only=true \
  --benchmark_out="$results/image.json" --benchmark_out_format=json
echo "bench: queue"
"$build/bench/queue/bench_queue" --benchmark_repetitions=7 --benchmark_report_aggregates_only=true \
  --benchmark_out="$results/queue.json" --benchmark_out_format=json

echo "bench: http"
mkdir -p "$results/serve"
"$build/pictor" serve --listen 127.0.0.1:0 --port-file "$results/serve/port" --workers 0 \
  --store "file:$results/serve/images" --queue "sqlite:$results/serve/queue.db" \
  --log-level warn &
server=$!
for _ in $(seq 100); do
  [[ -s "$results/serve/port" ]] && break
  sleep 0.1
done
port=$(<"$results/serve/port")
echo '{"prompt": "A magical salmon going to the moon in a rocket"}' >"$results/job.json"
{
  echo "GET /healthz: pictor serve beside nginx (static 200)"
  bench/http/compare_nginx.sh --url "http://127.0.0.1:$port/healthz"
  echo
  echo "POST /jobs on pictor serve (--workers 0, embedded SQLite queue and ledger)"
  bench/http/compare_nginx.sh --post-json "$results/job.json" "http://127.0.0.1:$port/jobs" |
    sed 's/^median:/POST \/jobs median:/'
} | tee "$results/http.txt"

echo "bench: auth"
bench/http/compare_auth.sh "$build/pictor" 3 | tee "$results/auth.txt"

echo "bench: access log"
bench/http/compare_access_log.sh "$build/pictor" 3 | tee "$results/access_log.txt"

echo "bench: open event streams"
/usr/bin/python3 bench/http/open_streams.py "$build/pictor" --streams 1000 --rounds 3 |
  tee "$results/streams.txt"

echo "bench: sync memory"
{
  /usr/bin/python3 bench/http/sync_memory.py "$build/pictor" -- --sync-memory-mb 0
  /usr/bin/python3 bench/http/sync_memory.py "$build/pictor"
} | tee "$results/sync_memory.txt"

echo "bench: aws"
bench/aws/run.sh "$build" | tee "$results/aws.txt"

echo "bench: throttle"
bench/throttle/run.sh "$build" 3 | tee "$results/throttle.txt"

echo "bench: lambda"
/usr/bin/python3 bench/lambda/cold_start.py "$build" --runs 9 | tee "$results/lambda.txt"
/usr/bin/python3 bench/lambda/per_image.py "$build" --images 200 --rounds 5 |
  tee "$results/lambda_per_image.txt"

echo "bench: alarm"
{
  "$build/bench/alarm/bench_alarm"
  /usr/bin/python3 bench/alarm/email_latency.py "$build/pictor" 7 || true
} | tee "$results/alarm.txt"

python3 scripts/bench_report.py "$results" docs/PERFORMANCE.md
echo "bench: wrote docs/PERFORMANCE.md"
