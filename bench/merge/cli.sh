#!/usr/bin/env bash
# The postie merge command end to end (bench/RESULTS.md, section "postie
# merge"): 10,000 personalised 1 KB rows (merge/testdata/bench.eml) to
# Postfix's smtp-sink on loopback at --concurrency 8, a fresh outbox each
# time (every row's 250 committed, the journal's durability intact),
# beside smtp-source -s 8 -m 10000 -l 1024 in the same run.
#   bash bench/merge/cli.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${BENCH_PORT:-2726}"
rounds="${1:-2}"
n=10000
command -v smtp-sink >/dev/null || PATH="$PATH:/usr/sbin"
work=$(mktemp -d /var/tmp/merge-cli-bench.XXXXXX)
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/postie" ./cmd/postie
go run ./bench/merge/mergebench -data "$work/rows.csv" -n $n
smtp-sink -u postfix 127.0.0.1:$PORT 256 & sink=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
export POSTIE_CONFIG="$work/none.toml"
load() { echo "   (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
rate() { echo "$n / ($(date +%s.%N) - $1)" | bc -l | cut -d. -f1; }
source8() {
  local start; start=$(date +%s.%N)
  smtp-source -s 8 -m $n -l 1024 ${1:-} -f a@x.test -t b@x.test 127.0.0.1:$PORT
  echo "smtp-source -s 8 -m $n -l 1024 ${1:-}: $(rate "$start") msg/s"
}
merge() {
  local start; start=$(date +%s.%N)
  rm -rf "$work/queue"
  "$work/postie" merge -q --template merge/testdata/bench.eml --data "$work/rows.csv" \
    --server 127.0.0.1:$PORT --tls none --concurrency "$1" --queue-dir "$work/queue"
  echo "postie merge --concurrency $1 ($n rows): $(rate "$start") msg/s"
}
echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3)"
for r in $(seq "$rounds"); do
  echo "== round $r"; load
  source8
  merge 8
  merge 1
  source8
done
