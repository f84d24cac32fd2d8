#!/usr/bin/env bash
# Start-up cost: one message per process (what cron, git send-email and
# scripts do), postie against a minimal Go net/smtp program (bench/netsmtp)
# sending the same message to Postfix's smtp-sink, in one run with the two
# alternating (bench/startup). Prints the ratio; the target is 1.1x at most.
#   bash bench/startup.sh [RUNS]
# With valgrind installed it also counts the instructions each executes
# (cachegrind, the fewest of 5 runs): a number load on the machine does not
# change, unlike wall time on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
PORT="${BENCH_STARTUP_PORT:-2626}"
command -v smtp-sink >/dev/null || PATH="$PATH:/usr/sbin"
command -v smtp-sink >/dev/null || { echo "needs Postfix's smtp-sink (apt-get install postfix)"; exit 1; }
work=$(mktemp -d)
trap 'kill "${sink:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/postie" ./cmd/postie
CGO_ENABLED=0 go build -o "$work/netsmtp" ./bench/netsmtp
go build -o "$work/startup" ./bench/startup
smtp-sink -u postfix 127.0.0.1:"$PORT" 64 & sink=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
export POSTIE_CONFIG="$work/no-config.toml"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/startup" -postie "$work/postie" -peer "$work/netsmtp" -server 127.0.0.1:"$PORT" -runs "$runs"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

command -v valgrind >/dev/null || exit 0
ir() { # ir STDIN CMD...: the fewest instructions of 5 runs
  local in=$1 best="" n
  shift
  for _ in 1 2 3 4 5; do
    n=$(GODEBUG=asyncpreemptoff=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null <"$in" |
      awk '/I *refs/ {gsub(",", "", $NF); print $NF}')
    if [ -z "$best" ] || [ "$n" -lt "$best" ]; then best=$n; fi
  done
  echo "$best"
}
send=(send -q --server 127.0.0.1:"$PORT" --tls none --from a@x.test --to b@x.test --subject start-up --text 'one message per process')
"$work/postie" "${send[@]}" --dry-run > "$work/msg.eml"
p=$(ir /dev/null "$work/postie" "${send[@]}")
n=$(ir "$work/msg.eml" "$work/netsmtp" -server 127.0.0.1:"$PORT")
echo "instructions (cachegrind, fewest of 5): postie $p, net/smtp $n: $(echo "scale=2; $p / $n" | bc)x"
