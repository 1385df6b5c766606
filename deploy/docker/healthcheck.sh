#!/bin/sh
# The image's HEALTHCHECK: when the container runs `pictor serve`, GET /healthz must answer 2xx;
# `send` and `worker` containers have no HTTP endpoint to check and count as healthy.
# PICTOR_HEALTH_URL overrides the address (default http://127.0.0.1:8080/healthz).
set -eu
if tr '\000' ' ' </proc/1/cmdline | grep -qw serve; then
  exec curl -fsS --max-time 3 -o /dev/null "${PICTOR_HEALTH_URL:-http://127.0.0.1:8080/healthz}"
fi
exit 0
