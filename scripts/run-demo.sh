#!/usr/bin/env bash
# The README's first command: start `pictor serve` on the embedded defaults, make one image
# through POST /generate-image and one through the queue (`pictor send`), print where each PNG
# is stored, and stop the server cleanly. Usage: scripts/run-demo.sh PATH_TO_PICTOR
set -euo pipefail
pictor=${1:?usage: run-demo.sh PATH_TO_PICTOR}
cd "$(dirname "$0")/.."
mkdir -p var
port_file=var/serve.port
rm -f "$port_file"

"$pictor" serve --listen 127.0.0.1:0 --port-file "$port_file" &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    if wait "$server"; then
      echo "run: pictor serve stopped cleanly"
    else
      echo "run: pictor serve exited with status $?" >&2
      return 1
    fi
  fi
}
trap stop_server EXIT

for _ in $(seq 100); do
  [[ -s "$port_file" ]] && break
  kill -0 "$server" 2>/dev/null || { echo "run: pictor serve did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(<"$port_file")
base="http://127.0.0.1:$port"
echo "run: pictor serve is listening on $base"

http_prompt="Ancient egyptians throwing a birthday party in front of the great pyramid"
queue_prompt="A magical salmon going to the moon in a rocket"

echo "run: POST /generate-image \"$http_prompt\""
response=$(curl -sS --fail-with-body -X POST "$base/generate-image" \
  -H 'Content-Type: application/json' \
  --data "$(jq -n --arg p "$http_prompt" '{prompt: $p}')")
echo "$response" | jq .
http_key=$(jq -r .key <<<"$response")

echo "run: pictor send \"$queue_prompt\""
message_id=$("$pictor" send "$queue_prompt")
echo "run: queued as message $message_id; waiting for a worker"
status=""
for _ in $(seq 300); do
  job=$(curl -sS "$base/jobs/$message_id" || true)
  status=$(jq -r '.status // empty' <<<"$job" 2>/dev/null || true)
  [[ "$status" == "succeeded" || "$status" == "failed" ]] && break
  sleep 0.1
done
if [[ "$status" != "succeeded" ]]; then
  echo "run: the queued job did not succeed: $job" >&2
  exit 1
fi
echo "$job" | jq .
queue_key=$(jq -r .key <<<"$job")

stop_server
trap - EXIT
echo
echo "Stored images:"
echo "  from POST /generate-image: $PWD/var/images/$http_key"
echo "  from the queue:            $PWD/var/images/$queue_key"
