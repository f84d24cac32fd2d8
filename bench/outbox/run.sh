#!/usr/bin/env bash
# The outbox's benchmarks (bench/RESULTS.md, section "Outbox"): what fsync
# costs on this disk, enqueue rates, draining 10,000 queued messages to
# Postfix's smtp-sink beside smtp-source -s 8 in the same run, enqueue
# latency while another process drains, memory from 1,000 to 100,000.
#   bash bench/outbox/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${BENCH_PORT:-2725}"
rounds="${1:-2}"
work=$(mktemp -d /var/tmp/outbox-bench.XXXXXX)
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/outboxbench" ./bench/outbox/outboxbench
smtp-sink -u postfix 127.0.0.1:$PORT 256 & sink=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
load() { echo "   (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
source8() { # smtp-source opens a connection per message unless -d
  local start; start=$(date +%s.%N)
  smtp-source -s 8 -m 10000 -l 1024 ${1:-} -f a@x.test -t b@x.test 127.0.0.1:$PORT
  echo "smtp-source -s 8 -m 10000 -l 1024 ${1:-}: $(echo "10000 / ($(date +%s.%N) - $start)" | bc -l | cut -d. -f1) msg/s"
}

echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3), $(uname -r)"; load
echo "== durability costs on this disk (go run ./bench/outbox/fsynccost; ./bench/outbox/boltcost)"
go run ./bench/outbox/fsynccost -dir /var/tmp -n 500
go run ./bench/outbox/boltcost -dir /var/tmp
for r in $(seq "$rounds"); do
  echo "== round $r"; load
  "$work/outboxbench" enqueue -n 10000 -workers 64
  "$work/outboxbench" enqueue -n 10000 -workers 256
  "$work/outboxbench" enqueue -n 1000 -workers 1
  source8
  "$work/outboxbench" drain -n 10000 -conns 16 -server 127.0.0.1:$PORT 2>/dev/null
  "$work/outboxbench" drain -n 10000 -conns 64 -server 127.0.0.1:$PORT 2>/dev/null
  source8
  source8 -d
done
echo "== enqueue latency while another process drains the same queue"; load
rm -rf "$work/shared"
"$work/outboxbench" drain -n 10000 -conns 16 -server 127.0.0.1:$PORT -dir "$work/shared" 2>"$work/drain.err" & drainer=$!
for _ in $(seq 600); do grep -q draining "$work/drain.err" 2>/dev/null && break; sleep 0.1; done
"$work/outboxbench" latency -n 200 -dir "$work/shared"
wait $drainer
"$work/outboxbench" latency -n 200 -dir "$work/shared"   # the same, alone
echo "== memory from 1,000 to 100,000 entries"; load
for n in 1000 10000 100000; do "$work/outboxbench" mem -n $n -conns 16 -server 127.0.0.1:$PORT; done
