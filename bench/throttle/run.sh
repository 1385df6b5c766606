#!/usr/bin/env bash
# The adaptive-throttling benchmark: 64 callers against a fake Bedrock model that enforces a
# token-bucket quota (tests/peers/fake_model_server.py, POST /_quota), in adaptive and standard
# retry mode alternately, ROUNDS times; prints each run and the medians.
# Usage: bench/throttle/run.sh BUILD_DIR [ROUNDS]  (env: QUOTA, BURST, CALLERS, WARMUP, SECONDS)
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [ROUNDS]}" && pwd)
rounds=${2:-3}
quota=${QUOTA:-20}
burst=${BURST:-5}
callers=${CALLERS:-64}
warmup=${WARMUP:-5}
seconds=${SECONDS_PER_RUN:-20}
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
model=""
cleanup() {
  if [[ -n "$model" ]] && kill -0 "$model" 2>/dev/null; then
    kill -TERM "$model"
    wait "$model" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 tests/peers/fake_model_server.py >"$work/port" &
model=$!
for _ in $(seq 100); do
  grep -q '^port ' "$work/port" 2>/dev/null && break
  sleep 0.1
done
url="http://127.0.0.1:$(awk '/^port /{print $2}' "$work/port")"

echo "quota $quota/s, burst $burst, $callers callers, ${warmup} s warm-up, ${seconds} s measured"
for round in $(seq "$rounds"); do
  for mode in adaptive standard; do
    "$build/bench/throttle/bench_throttle" --url "$url" --mode "$mode" --quota "$quota" \
      --burst "$burst" --callers "$callers" --warmup "$warmup" --seconds "$seconds" \
      >>"$work/runs.jsonl"
  done
  echo "round $round done" >&2
done

/usr/bin/python3 - "$work/runs.jsonl" "$rounds" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
for r in runs:
    print(f"{r['mode']:8}: {r['images']} images in {r['seconds']:.0f} s = "
          f"{r['goodput_of_quota']:.1%} of the quota; {r['throttled_calls']} of "
          f"{r['model_calls']} model calls throttled ({r['throttled_fraction']:.1%}); "
          f"{r['failed_generations']} generations failed; {r['warmup_throttled']} throttled "
          f"in the warm-up")
for mode in ("adaptive", "standard"):
    mine = [r for r in runs if r["mode"] == mode]
    good = statistics.median(r["goodput_of_quota"] for r in mine)
    throttled = statistics.median(r["throttled_fraction"] for r in mine)
    failed = statistics.median(r["failed_generations"] for r in mine)
    print(f"median {mode}: goodput {good:.1%} of the quota, {throttled:.1%} of model calls "
          f"throttled, {failed:.0f} generations failed (of {sys.argv[2]} runs)")
PY
