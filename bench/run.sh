#!/usr/bin/env bash
# postie's benchmark harness: Go benchmarks, then whole-process comparisons
# with peers (Postfix's smtp-source, swaks, curl, msmtp) against Postfix's
# smtp-sink on loopback. Prints what bench/RESULTS.md records.
#   bash bench/run.sh            (installs hyperfine, msmtp, time if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${BENCH_PORT:-2625}"
source bench/peers.sh
install_peers hyperfine msmtp time swaks curl postfix bc
work=$(mktemp -d)
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT

echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3), $(uname -r)"
echo "== go test -bench (engine, composer)"
go test -run '^$' -bench 'MessagesOneConnection|DataThroughput' -benchtime 2s ./smtp/
go test -run '^$' -bench . -benchtime 5x ./message/

CGO_ENABLED=0 go build -o "$work/postie" ./cmd/postie
go build -o "$work/bulk" ./bench/bulk
smtp-sink -u postfix 127.0.0.1:$PORT 256 & sink=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done

echo "== 1000 small messages to smtp-sink; each line says how the sender connects"
for round in 1 2 3; do
  echo "-- round $round"
  echo -n "postie SendAll, one connection, pipelined across messages: "; "$work/bulk" -server 127.0.0.1:$PORT -n 1000
  echo -n "postie Send one by one, one connection (pipelined within each): "; "$work/bulk" -server 127.0.0.1:$PORT -n 1000 -one-by-one
  echo -n "postie Send one by one, one connection, no pipelining: "; "$work/bulk" -server 127.0.0.1:$PORT -n 1000 -one-by-one -no-pipelining
  start=$(date +%s.%N); smtp-source -d -s 1 -m 1000 -l 512 -f a@x.test -t b@x.test 127.0.0.1:$PORT
  echo "smtp-source -d -s 1 -m 1000 (one connection, no pipelining): $(echo "1000 / ($(date +%s.%N) - $start)" | bc -l | cut -d. -f1) messages/s"
  start=$(date +%s.%N); smtp-source -s 1 -m 1000 -l 512 -f a@x.test -t b@x.test 127.0.0.1:$PORT
  echo "smtp-source -s 1 -m 1000 (a new connection per message): $(echo "1000 / ($(date +%s.%N) - $start)" | bc -l | cut -d. -f1) messages/s"
done

echo "== one message per process (hyperfine)"
printf 'From: a@x.test\r\nTo: b@x.test\r\nSubject: bench\r\n\r\nI love computer networks!\r\n' > "$work/msg.eml"
export POSTIE_CONFIG="$work/none.toml"
printf '[accounts.sink]\nserver = "127.0.0.1:%s"\ntls = "none"\nfrom = "a@x.test"\n' "$PORT" > "$work/sink.toml"
hyperfine -N --warmup 5 --runs 100 --export-markdown "$work/hf.md" \
  -n postie "$work/postie send --server 127.0.0.1:$PORT --tls none --from a@x.test --to b@x.test --subject bench --text hi" \
  -n "postie sendmail" "sh -c '$work/postie sendmail -C $work/sink.toml b@x.test < $work/msg.eml'" \
  -n swaks "swaks --server 127.0.0.1:$PORT --from a@x.test --to b@x.test --silent 2" \
  -n curl "curl -s smtp://127.0.0.1:$PORT --mail-from a@x.test --mail-rcpt b@x.test --upload-file $work/msg.eml" \
  -n msmtp "sh -c 'msmtp --host=127.0.0.1 --port=$PORT --from=a@x.test b@x.test < $work/msg.eml'" 2>&1 | tail -20 || true
cat "$work/hf.md" 2>/dev/null || true

bash bench/rtt.sh

echo "== 256 MiB message file, one process each (DATA; smtp-sink offers no CHUNKING)"
truncate -s 256M "$work/mid.bin"
"$work/postie" send --dry-run --from a@x.test --to b@x.test --subject mid --text x --attach "$work/mid.bin" > "$work/mid.eml"
ls -l "$work/mid.eml" | awk '{print "message file:", $5, "bytes"}'
/usr/bin/time -f "postie sendmail: %e s, peak RSS %M KiB" sh -c "'$work/postie' sendmail -C '$work/sink.toml' b@x.test < '$work/mid.eml'"
/usr/bin/time -f "curl:            %e s, peak RSS %M KiB" curl -s "smtp://127.0.0.1:$PORT" --mail-from a@x.test --mail-rcpt b@x.test --upload-file "$work/mid.eml"
/usr/bin/time -f "msmtp:           %e s, peak RSS %M KiB" sh -c "msmtp --host=127.0.0.1 --port=$PORT --from=a@x.test b@x.test < '$work/mid.eml'"
rm -f "$work/mid.eml" "$work/mid.bin"

echo "== 1 GiB attachment: peak memory of the postie process"
truncate -s 1G "$work/big.bin"
/usr/bin/time -f "postie send, 1 GiB attachment: %e s elapsed, peak RSS %M KiB" \
  "$work/postie" send --server 127.0.0.1:$PORT --tls none --from a@x.test --to b@x.test --subject big --text x --attach "$work/big.bin" -q
