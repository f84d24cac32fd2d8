#!/usr/bin/env bash
# The outbox on a NATS JetStream cluster (bench/RESULTS.md, "The outbox on a
# NATS cluster"): per-message cost of the cluster, one step at a time; then
# 10,000 queued 1 KB messages drained to Postfix's smtp-sink by 1, 2 and 3
# worker processes through the 3-node test cluster (R3), beside the local
# outbox draining the same number in the same round.
#   bash test/nats/up.sh && bash bench/jetstream/run.sh [ROUNDS] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${BENCH_PORT:-2726}"
rounds="${1:-1}"
n="${2:-10000}"
. "${NATS_ENV:-/tmp/postie-nats/env}"
work=$(mktemp -d /var/tmp/js-bench.XXXXXX)
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/jsbench" ./bench/jetstream/jsbench
go build -o "$work/outboxbench" ./bench/outbox/outboxbench
smtp-sink -u postfix 127.0.0.1:$PORT 256 & sink=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
load() { echo "   (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3), $("$NATS_SERVER_BIN" --version)"; load
echo "== what the cluster costs one message (R3, one message at a time)"
"$work/jsbench" cost -nats "$NATS_URLS" -n 1000
for r in $(seq "$rounds"); do
  echo "== round $r: drain $n messages to smtp-sink"; load
  "$work/outboxbench" drain -n "$n" -conns 16 -server 127.0.0.1:$PORT 2>/dev/null | sed 's/^/local outbox: /'
  for w in 1 2 3; do
    "$work/jsbench" drain -nats "$NATS_URLS" -n "$n" -workers $w -conns 16 -server 127.0.0.1:$PORT 2>/dev/null | sed 's/^/jetstream R3: /'
  done
  load
done
