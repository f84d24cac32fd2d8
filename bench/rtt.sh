#!/usr/bin/env bash
# One message per process through a proxy that holds every chunk 25 ms each
# way (a 50 ms round trip), to Postfix's smtp-sink: postie against msmtp,
# Go's net/smtp, go-mail, curl, swaks and Python's smtplib, side by side in one
# hyperfine run. What it measures is round trips: at 50 ms each they are
# nearly all of the time. Every peer is told its EHLO name where it would
# otherwise look one up in DNS (python, swaks), and Debian's python3 is run
# directly (not a version manager's shim), so start-up is not measured.
#   bash bench/rtt.sh            (bench/run.sh runs it too; installs peers if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${RTT_SINK_PORT:-2626}"
DELAY="${RTT_DELAY:-25ms}"
RUNS="${RTT_RUNS:-20}"
source bench/peers.sh
install_peers hyperfine msmtp swaks curl postfix python3
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/postie" ./cmd/postie
go build -o "$work/proxy" ./bench/delayproxy
go build -o "$work/netsmtp" ./bench/netsmtp
(cd bench/gomail && go build -o "$work/gomail" .)   # a module of its own: postie does not depend on go-mail
smtp-sink -u postfix 127.0.0.1:$PORT 64 & pids+=($!)
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$PORT")" ] && break; sleep 0.1; done
"$work/proxy" -listen 127.0.0.1:0 -to 127.0.0.1:$PORT -delay "$DELAY" > "$work/proxy.addr" & pids+=($!)
for _ in $(seq 50); do [ -s "$work/proxy.addr" ] && break; sleep 0.1; done
P=$(cut -d: -f2 "$work/proxy.addr")
echo "== one message per process through a ${DELAY}-each-way proxy (port $P) to smtp-sink; each side opens one connection and sends one message"
printf 'From: a@x.test\r\nTo: b@x.test\r\nSubject: bench\r\n\r\nI love computer networks!\r\n' > "$work/msg.eml"
export POSTIE_CONFIG="$work/none.toml"
cat > "$work/send_smtplib.py" <<PY
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", $P, local_hostname="bench")  # no getfqdn() DNS lookup
s.sendmail("a@x.test", ["b@x.test"], open(sys.argv[1], "rb").read())
s.quit()
PY
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$work/rtt.md" \
  -n postie "$work/postie send --server 127.0.0.1:$P --tls none --from a@x.test --to b@x.test --subject bench --text hi" \
  -n msmtp "sh -c 'msmtp --host=127.0.0.1 --port=$P --from=a@x.test b@x.test < $work/msg.eml'" \
  -n net/smtp "sh -c '$work/netsmtp -server 127.0.0.1:$P < $work/msg.eml'" \
  -n curl "curl -s smtp://127.0.0.1:$P --mail-from a@x.test --mail-rcpt b@x.test --upload-file $work/msg.eml" \
  -n go-mail "$work/gomail -port $P" \
  -n swaks "swaks --server 127.0.0.1:$P --helo bench --from a@x.test --to b@x.test --silent 2" \
  -n "python smtplib" "/usr/bin/python3 $work/send_smtplib.py $work/msg.eml" >/dev/null
cat "$work/rtt.md"
echo "== what smtp-sink offers (EHLO), for the round-trip count"
printf 'EHLO bench\r\nQUIT\r\n' | timeout 5 curl -s telnet://127.0.0.1:$PORT 2>/dev/null | tr -d '\r' || true
