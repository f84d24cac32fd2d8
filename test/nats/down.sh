#!/usr/bin/env bash
# Stops the test NATS cluster started by up.sh, by the PIDs it recorded.
set -uo pipefail
STATE="${POSTIE_NATS_STATE:-/tmp/postie-nats}"
for i in 1 2 3; do
  f="$STATE/n$i/nats.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
done
echo "nats down"
